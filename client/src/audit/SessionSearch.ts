import type { SessionSummary } from '@sightline/shared';
import { api } from '../common/api.js';
import { h } from '../common/dom.js';
import { localInputValue, PRESETS } from './searchPresets.js';
import { t, timeElement, timeZone } from '../staff-i18n/index.js';
import { instantOfInput } from '../staff-i18n/time.js';

/**
 * The search form and its result list. The form's fields are the query (`from`/`to` are times on
 * the centre's clock, sent as ISO in UTC); a preset fills the time window and searches at once. Only the newest search's answer
 * is shown, so a slow one cannot overwrite a later one. Every search is logged by the server.
 */
export class SessionSearch {
  #seq = 0;

  constructor(
    private readonly form: HTMLFormElement,
    private readonly results: HTMLElement,
    private readonly token: () => string,
    private readonly open: (id: string) => void,
  ) {}

  /** Wires the form and the presets (until `signal` aborts) and runs the first search at once. */
  start(signal: AbortSignal): Promise<void> {
    this.form.addEventListener(
      'submit',
      (ev) => {
        ev.preventDefault();
        void this.search().catch(() => undefined);
      },
      { signal },
    );
    this.#presets(signal);
    return this.search();
  }

  #presets(signal: AbortSignal): void {
    const bar = this.form.querySelector<HTMLElement>('[data-presets]');
    if (!bar || bar.childElementCount) return;
    for (const p of PRESETS) {
      const button = h('button', { type: 'button', testid: 'search-preset', 'data-preset': p.id }, t(`audit.search.preset.${p.id}`));
      button.addEventListener('click', () => this.applyPreset(p.id), { signal });
      bar.append(button);
    }
    signal.addEventListener('abort', () => bar.replaceChildren(), { once: true });
  }

  /** Sets the time window of preset `id` (ending now) and searches. */
  applyPreset(id: string, now = new Date()): void {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset) return;
    const from = preset.from(now, timeZone());
    this.#field('from').value = from ? localInputValue(from, timeZone()) : '';
    this.#field('to').value = '';
    for (const b of this.form.querySelectorAll<HTMLElement>('[data-preset]')) b.setAttribute('aria-pressed', String(b.dataset['preset'] === id));
    void this.search().catch(() => undefined);
  }

  #field(name: string): HTMLInputElement {
    return this.form.elements.namedItem(name) as HTMLInputElement;
  }

  /** Runs the form's query; resolves once its answer is shown (or a newer search overtook it). */
  async search(): Promise<void> {
    const seq = ++this.#seq;
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(this.form)) {
      const value = String(v).trim();
      if (!value) continue;
      // The fields hold the centre's clock (TZ), as every time on this page does; the query goes in UTC.
      params.set(k, k === 'from' || k === 'to' ? new Date(instantOfInput(value, timeZone())).toISOString() : value);
    }
    const { sessions } = await api('GET /api/sessions', { token: this.token(), query: params });
    if (seq !== this.#seq) return; // a newer search is on its way
    this.results.replaceChildren(...sessions.map((s) => this.#row(s)));
    if (sessions.length === 0) this.results.append(h('tr', {}, h('td', { colspan: '5' }, t('audit.results.none'))));
  }

  #row(s: SessionSummary): HTMLElement {
    const row = h(
      'tr',
      { testid: 'session-row', 'data-session-id': s.id, tabindex: '0' },
      h('td', {}, timeElement(s.createdAt, 'dateTime')),
      h('td', {}, s.incidentRef ?? '—'),
      h('td', {}, s.dispatcher),
      h('td', { 'data-status': s.status }, t(`audit.status.${s.status}`)),
      h('td', {}, s.hasRecording ? t('audit.results.yes') : t('audit.results.no')),
    );
    row.addEventListener('click', () => this.open(s.id));
    row.addEventListener('keydown', (e) => e.key === 'Enter' && this.open(s.id));
    return row;
  }
}
