import { t } from '../../staff-i18n/index.js';
import type { SessionStatus } from '@sightline/shared';
import { h } from '../../common/dom.js';
import type { AlarmStore } from '../alarms/AlarmStore.js';
import { RailRow } from './RailRow.js';
import { compareUrgency, groupOf } from './urgency.js';

export interface RailEntry {
  sessionId: string;
  label: string;
  status: SessionStatus;
  /** ms since the epoch the session entered `status`. */
  since: number;
}

/**
 * The always-visible column of the console (`session-rail`, issue #14 §1): one row per session of
 * this shift, sorted by urgency (alarm, live, waiting, recently ended), each with its status chip,
 * time in state, unread caller messages and alarm marker from the alarm store. It knows which
 * session is focused, and tells `picked` observers when the dispatcher picks a row.
 */
export class SessionRail {
  readonly el: HTMLElement;
  /** Told the session id of a row the dispatcher clicked (or pressed Enter on). */
  readonly picked = new Set<(sessionId: string) => void>();
  #list = h('ol', { class: 'rail-rows' });
  #rows = new Map<string, RailRow>();
  #entries = new Map<string, RailEntry>();
  #focused: string | undefined;
  #ticker: ReturnType<typeof setInterval>;
  #unobserve: () => void;

  constructor(
    private readonly alarms: AlarmStore,
    extra: HTMLElement[] = [],
  ) {
    this.el = h(
      'nav',
      { testid: 'session-rail', class: 'session-rail', 'aria-label': t('console.rail.label') },
      h('h2', { class: 'rail-title' }, t('console.rail.title')),
      this.#list,
      ...extra,
    );
    this.#unobserve = alarms.observe((change) => {
      if (this.#entries.has(change.alarm.sessionId)) this.#render();
    });
    this.#ticker = setInterval(() => {
      for (const row of this.#rows.values()) row.tick();
    }, 1000);
  }

  /** Adds the session or updates its row; the order follows. */
  upsert(entry: RailEntry): void {
    this.#entries.set(entry.sessionId, entry);
    if (!this.#rows.has(entry.sessionId)) {
      const row = new RailRow(entry.sessionId);
      row.el.addEventListener('click', () => {
        for (const o of [...this.picked]) o(entry.sessionId);
      });
      this.#rows.set(entry.sessionId, row);
    }
    this.#render();
  }

  remove(sessionId: string): void {
    this.#entries.delete(sessionId);
    this.#rows.get(sessionId)?.el.parentElement?.remove();
    this.#rows.delete(sessionId);
    if (this.#focused === sessionId) this.#focused = undefined;
  }

  has(sessionId: string): boolean {
    return this.#entries.has(sessionId);
  }

  get focused(): string | undefined {
    return this.#focused;
  }

  setFocused(sessionId: string | undefined): void {
    this.#focused = sessionId;
    for (const [id, row] of this.#rows) row.setFocused(id === sessionId);
  }

  /** Session ids in rail order (the "next session" shortcut walks it). */
  order(): string[] {
    return [...this.#rows.values()].sort((a, b) => compareUrgency(a.state!, b.state!)).map((r) => r.state!.sessionId);
  }

  close(): void {
    clearInterval(this.#ticker);
    this.#unobserve();
  }

  #render(): void {
    for (const [id, entry] of this.#entries) {
      // The server's own "media gone" counts as an alarm whatever this screen has raised.
      const alarm = this.alarms.hasAlarm(id) || entry.status === 'reconnecting';
      this.#rows.get(id)!.update({ ...entry, alarm, unread: this.alarms.unread(id), group: groupOf(entry.status, alarm) });
    }
    const items = this.order().map((id) => {
      const row = this.#rows.get(id)!;
      return row.el.parentElement ?? h('li', {}, row.el);
    });
    // Moving the row that has the keyboard focus would drop it: re-append only when the order changed.
    const current = [...this.#list.children];
    if (items.length !== current.length || items.some((li, i) => li !== current[i])) {
      const active = document.activeElement;
      this.#list.replaceChildren(...items);
      if (active instanceof HTMLElement && this.#list.contains(active)) active.focus();
    }
  }
}
