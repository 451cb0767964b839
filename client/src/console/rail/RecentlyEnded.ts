import { fetchWithToken } from '../../common/api.js';
import { h } from '../../common/dom.js';
import type { EndedRecord } from './EndedRecord.js';
import { stillLabel } from '../card/SnapshotList.js';
import { formatTime, t, utcInstant, type TextKey } from '../../staff-i18n/index.js';

/** A chat writer's role in the dispatcher's words (records kept from before hold the role's name). */
const roleWord = (from: string) => (['dispatcher', 'caller', 'viewer'].includes(from) ? t(`common.role.${from}` as TextKey) : from);

const STORAGE_KEY = 'sightline.recentlyEnded';
/** A shift's worth; the oldest go first beyond it (sessionStorage is a few MB, and this is text). */
const MAX_RECORDS = 50;

/**
 * The shift's ended sessions (`recently-ended`, issue #14 §4): each keeps its location, chat, stills
 * and end reason after its card has gone. The shift is this tab's login: records live in
 * sessionStorage, so a reload keeps them, and logging out (or closing the tab) forgets them.
 * Stills are fetched when an entry is opened (they need the bearer token, which an <img> cannot send).
 */
export class RecentlyEnded {
  readonly el: HTMLElement;
  #list = h('ol', { class: 'ended-list' });
  #empty = h('p', { class: 'muted small-text' }, t('console.ended.none'));
  #records: EndedRecord[];

  constructor(private readonly tokenOf: () => string) {
    this.#records = load();
    this.el = h(
      'section',
      { testid: 'recently-ended', class: 'recently-ended', 'aria-label': t('console.ended.label') },
      h('h2', { class: 'rail-title' }, t('console.ended.title')),
      this.#empty,
      this.#list,
    );
    this.#render();
  }

  get records(): readonly EndedRecord[] {
    return this.#records;
  }

  /** Keeps (or replaces) the record of a session that has just ended. */
  add(record: EndedRecord): void {
    this.#records = [record, ...this.#records.filter((r) => r.sessionId !== record.sessionId)].slice(0, MAX_RECORDS);
    save(this.#records);
    this.#render();
  }

  /** Opens the session's entry and moves the keyboard focus to it (a click on its rail row). */
  open(sessionId: string): void {
    const details = this.#list.querySelector<HTMLDetailsElement>(`li[data-session-id="${CSS.escape(sessionId)}"] details`);
    if (!details) return;
    details.open = true;
    details.querySelector('summary')?.focus();
    details.scrollIntoView({ block: 'nearest' });
  }

  /** The shift is over (logout): nothing of it stays in this tab. */
  static forget(): void {
    sessionStorage.removeItem(STORAGE_KEY);
  }

  #render(): void {
    this.#empty.hidden = this.#records.length > 0;
    this.#list.replaceChildren(...this.#records.map((r) => this.#entry(r)));
  }

  #entry(r: EndedRecord): HTMLElement {
    const time = formatTime(r.endedAt, 'minutes');
    const stills = h('ul', { class: 'snapshots ended-stills' });
    const details = h(
      'details',
      {},
      h('summary', { title: utcInstant(r.endedAt) }, h('strong', {}, r.label), ` · ${time} · ${r.reason}`),
      h('p', { class: 'ended-location' }, t('console.caller.location'), r.location ? mapLink(r.location) : t('console.caller.notShared')),
      r.chat.length
        ? h(
            'ol',
            { class: 'chat-log ended-chat', 'aria-label': t('console.chat.title') },
            ...r.chat.map((m) => h('li', { 'data-from': m.from }, h('strong', {}, `${roleWord(m.from)}: `), m.text)),
          )
        : h('p', { class: 'muted' }, t('console.ended.noChat')),
      r.stills.length ? stills : h('p', { class: 'muted' }, t('console.ended.noStills')),
    );
    details.addEventListener('toggle', () => {
      if (details.open && !stills.childElementCount) this.#loadStills(r, stills);
    });
    return h('li', { 'data-session-id': r.sessionId, 'data-reason': r.reason }, details);
  }

  #loadStills(r: EndedRecord, into: HTMLElement): void {
    for (const s of r.stills) {
      const img = h('img', { alt: stillLabel(s) });
      into.append(h('li', { testid: 'ended-still' }, img));
      void fetchWithToken(`/api/sessions/${r.sessionId}/snapshots/${encodeURIComponent(s.name)}`, this.tokenOf())
        .then((res) => (res.ok ? res.blob() : undefined))
        .then((b) => b && (img.src = URL.createObjectURL(b)))
        .catch(() => undefined);
    }
  }
}

function mapLink(loc: NonNullable<EndedRecord['location']>): HTMLElement {
  const lat = loc.lat.toFixed(5);
  const lng = loc.lng.toFixed(5);
  return h(
    'a',
    { href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=17/${lat}/${lng}`, target: '_blank', rel: 'noreferrer', class: 'ended-location-link' },
    `${lat}, ${lng} ±${Math.round(loc.accuracy)} m`,
  );
}

function load(): EndedRecord[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as EndedRecord[]) : [];
  } catch {
    return [];
  }
}

function save(records: EndedRecord[]): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(records));
  } catch {
    // Storage full or off: the list still stands for this page's life.
  }
}
