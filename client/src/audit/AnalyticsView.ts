import type { AnalyticsQuery } from '@sightline/shared';
import { api, fetchWithToken } from '../common/api.js';
import { h } from '../common/dom.js';
import { errorText } from '../staff-i18n/index.js';
import { analyticsModel, at, defaultRange, formatMs, type AnalyticsModel } from './analyticsModel.js';
import type { AnalyticsCharts } from './AnalyticsCharts.js';

/**
 * The supervisor's time-to-video view in /audit (issue #16 §1): a date range (the last 8 weeks by
 * default, the centre's whole days) and a dispatcher (the whole centre when empty); the funnel
 * (`data-testid="funnel-chart"`: sessions reaching each stage, median and 90th percentile from the
 * SMS), the failure causes and uptake per week, each chart with its figures as a table beside it
 * and a sentence for screen readers; how many of the sessions are synthetic; and "Export CSV" of the
 * same range (fetched with the token, saved as a file). The server logs each look and each export.
 * Only the newest request's answer is shown.
 */
export class AnalyticsView {
  readonly el: HTMLElement;
  readonly #form: HTMLFormElement;
  readonly #summary = h('p', { class: 'analytics-summary', testid: 'analytics-summary', 'aria-live': 'polite' });
  readonly #synthetic = h('p', { class: 'analytics-synthetic', testid: 'analytics-synthetic', hidden: true });
  readonly #exportNote = h('p', { class: 'muted', testid: 'analytics-export-note', 'aria-live': 'polite' });
  readonly #cards = h('div', { class: 'analytics-grid' });
  #charts: AnalyticsCharts | undefined;
  #seq = 0;

  constructor(private readonly token: () => string) {
    const range = defaultRange();
    const exportButton = h('button', { type: 'button', testid: 'analytics-export' }, at('exportCsv'));
    exportButton.addEventListener('click', () => void this.#export(exportButton));
    this.#form = h(
      'form',
      { class: 'panel analytics-form', 'aria-label': at('title') },
      h('label', {}, at('from'), h('input', { type: 'date', name: 'from', value: range.from, required: true, testid: 'analytics-from' })),
      h('label', {}, at('to'), h('input', { type: 'date', name: 'to', value: range.to, required: true, testid: 'analytics-to' })),
      h('label', {}, at('dispatcher'), h('input', { name: 'dispatcher', placeholder: at('wholeCentre'), testid: 'analytics-dispatcher', autocomplete: 'off' })),
      h('button', { type: 'submit', class: 'primary', testid: 'analytics-submit' }, at('show')),
      exportButton,
      h('p', { class: 'muted analytics-logged' }, at('logged')),
    );
    this.#form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.load();
    });
    this.el = h(
      'section',
      { class: 'analytics', testid: 'analytics-view', 'aria-labelledby': 'analytics-title' },
      h('div', { class: 'analytics-head' }, h('h1', { id: 'analytics-title' }, at('title')), h('a', { href: '#', testid: 'analytics-back' }, at('back'))),
      this.#form,
      this.#summary,
      this.#synthetic,
      this.#exportNote,
      this.#cards,
    );
  }

  /** The form's query: whole days, and the dispatcher only when one is named. */
  query(): AnalyticsQuery {
    const data = new FormData(this.#form);
    const dispatcher = String(data.get('dispatcher') ?? '').trim();
    return { from: String(data.get('from')), to: String(data.get('to')), ...(dispatcher && { dispatcher }) };
  }

  /** Fetches the funnel for the form's query and draws it; resolves once drawn (or overtaken by a newer load). */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    const query = this.query();
    // Bare dates compare as text; a reversed range is said here, in the supervisor's language.
    if (query.from && query.to && query.to < query.from) return this.#failed(at('rangeReversed'));
    this.#summary.textContent = at('loading');
    const charting = import('./AnalyticsCharts.js');
    let model: AnalyticsModel;
    try {
      model = analyticsModel(await api('GET /api/analytics/funnel', { token: this.token(), query }), {
        from: query.from!,
        to: query.to!,
        dispatcher: query.dispatcher,
      });
    } catch (err) {
      if (seq === this.#seq) this.#failed(at('loadFailed', { message: errorText(err as Error) }));
      return;
    }
    const chartModule = await charting;
    if (seq !== this.#seq) return;
    this.#summary.textContent = model.sessions ? model.summary : `${model.summary} ${at('noSessions')}`;
    this.#synthetic.hidden = model.synthetic === 0;
    this.#synthetic.textContent = model.synthetic ? at('synthetic', { count: model.synthetic }) : '';
    const funnel = chartBox('funnel-chart', model.funnelAlt);
    const failures = chartBox('failures-chart', model.failuresAlt);
    const uptake = chartBox('uptake-chart', model.uptakeAlt);
    this.#cards.replaceChildren(
      card(at('funnelTitle'), 'analytics-card wide', h('p', { class: 'muted' }, at('funnelNote')), funnel, funnelTable(model)),
      card(at('failuresTitle'), 'analytics-card', failures, causeTable(model)),
      card(at('uptakeTitle'), 'analytics-card', uptake, weekTable(model)),
    );
    this.#charts?.dispose();
    this.#charts = new chartModule.AnalyticsCharts();
    this.#charts.render(model, { funnel, failures, uptake });
  }

  /** A query that failed leaves no figures of the one before on screen: they would read as its answer. */
  #failed(message: string): void {
    this.#charts?.dispose();
    this.#charts = undefined;
    this.#cards.replaceChildren();
    this.#synthetic.hidden = true;
    this.#summary.textContent = message;
  }

  dispose(): void {
    this.#seq++;
    this.#charts?.dispose();
    this.#charts = undefined;
  }

  /** `sessions.csv` for the form's range, fetched with the token and handed to the browser as a file. */
  async #export(button: HTMLButtonElement): Promise<void> {
    const query = this.query();
    button.disabled = true;
    this.#exportNote.textContent = at('exporting');
    try {
      const res = await fetchWithToken(`/api/analytics/sessions.csv?${new URLSearchParams(query as Record<string, string>)}`, this.token());
      if (!res.ok) {
        this.#exportNote.textContent = at('exportFailed', { status: res.status });
        return;
      }
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: `sightline-sessions-${query.from}-${query.to}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.#exportNote.textContent = '';
    } catch (err) {
      // A network failure: the note says so rather than "exporting…" for ever.
      this.#exportNote.textContent = at('loadFailed', { message: errorText(err as Error) });
    } finally {
      button.disabled = false;
    }
  }
}

function chartBox(testid: string, alt: string): HTMLElement {
  return h('div', { class: 'analytics-chart', testid, role: 'img', 'aria-label': alt });
}

function card(title: string, cls: string, ...children: Node[]): HTMLElement {
  return h('section', { class: `panel ${cls}` }, h('h2', {}, title), ...children);
}

function table(testid: string, caption: string, head: string[], rows: (string | number)[][]): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'results analytics-table', testid },
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, String(c)) : h('td', {}, String(c))))))),
    ),
  );
}

function funnelTable(m: AnalyticsModel): HTMLElement {
  return table(
    'funnel-table',
    at('funnelTitle'),
    [at('stage'), at('reached'), at('share'), at('median'), at('p90')],
    m.stages.map((s) => [s.label, s.reached, s.share, formatMs(s.p50Ms), formatMs(s.p90Ms)]),
  );
}

function causeTable(m: AnalyticsModel): HTMLElement {
  return table(
    'failures-table',
    at('failuresTitle'),
    [at('cause'), at('sessions')],
    m.causes.map((c) => [c.label, c.count]),
  );
}

function weekTable(m: AnalyticsModel): HTMLElement {
  return table(
    'uptake-table',
    at('uptakeTitle'),
    [at('week'), at('sessions'), at('withVideo')],
    m.weeks.map((w) => [w.week, w.sessions, w.withVideo]),
  );
}
