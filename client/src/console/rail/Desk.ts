import type { SnapshotInfo } from '@sightline/shared';
import { h } from '../../common/dom.js';
import type { AlarmStore } from '../alarms/AlarmStore.js';
import { AlarmStrip } from '../alarms/AlarmStrip.js';
import type { SessionCard } from '../SessionCard.js';
import { endedRecordOf } from './EndedRecord.js';
import { RecentlyEnded } from './RecentlyEnded.js';
import { consoleShortcuts, legendOf, wireShortcuts } from './Shortcuts.js';
import { SessionRail } from './SessionRail.js';
import { t } from '../../staff-i18n/index.js';

export interface DeskOptions {
  alarms: AlarmStore;
  /** Where the rail goes (the left column) and where the strip goes (under the header). */
  railSlot: HTMLElement;
  stripSlot: HTMLElement;
  chime: () => void;
  tokenOf: () => string;
  /** The session's stills, for its ended record (a failure keeps the record without them). */
  stillsOf: (sessionId: string) => Promise<SnapshotInfo[]>;
  /** Stops the shortcuts and observers with the shift. */
  signal: AbortSignal;
}

/**
 * The dispatcher's desk (issue #14 §1, §4): the session rail, the alarm strip, the recently-ended list
 * and which session is focused. Focus rules: the session the dispatcher just created is focused (they
 * are acting on it); an alarm, a message or a new state never moves the focus (the dispatcher may be
 * mid-sentence with another caller); a pick on the rail or the strip, a shortcut, or a click into a
 * compact card moves it. When the focused card goes away, the most urgent remaining session is focused.
 */
export class Desk {
  readonly rail: SessionRail;
  readonly strip: AlarmStrip;
  readonly ended: RecentlyEnded;
  #cards = new Map<string, SessionCard>();

  constructor(private readonly opts: DeskOptions) {
    this.ended = new RecentlyEnded(opts.tokenOf);
    const shortcuts = consoleShortcuts((step) => this.step(step));
    const legend = h('p', { class: 'shortcut-legend muted' }, h('strong', {}, t('console.keys.title')), legendOf(shortcuts));
    this.rail = new SessionRail(opts.alarms, [this.ended.el, legend]);
    this.strip = new AlarmStrip(opts.alarms, { labelOf: (id) => this.#labelOf(id), chime: opts.chime });
    this.rail.picked.add((id) => this.pick(id));
    this.strip.picked.add((id) => this.pick(id));
    for (const r of this.ended.records) this.rail.upsert({ sessionId: r.sessionId, label: r.label, status: 'ended', since: Date.parse(r.endedAt) });
    opts.railSlot.replaceChildren(this.rail.el);
    opts.stripSlot.replaceChildren(this.strip.el);
    wireShortcuts(shortcuts, () => this.#focusedCard()?.el, opts.signal);
    opts.signal.addEventListener('abort', () => this.#close());
  }

  /** A card joins the desk; `created`: the dispatcher has just made it, so it takes the focus. */
  add(card: SessionCard, created: boolean): void {
    this.#cards.set(card.sessionId, card);
    const show = () => this.rail.upsert({ sessionId: card.sessionId, label: card.label, status: card.status, since: card.since });
    card.changed.add(show);
    show();
    card.setFocused(false);
    // After the click has done its work: focusing re-lays the page out, which must not move the target mid-click.
    card.el.addEventListener('click', () => this.rail.focused !== card.sessionId && this.focus(card.sessionId));
    card.el.addEventListener('focusin', (ev) => {
      if (this.rail.focused !== card.sessionId && (ev.target as HTMLElement).matches(':focus-visible')) this.focus(card.sessionId);
    });
    if (created || !this.#focusedCard()) this.focus(created ? card.sessionId : this.#mostUrgent());
  }

  /** The session ended: its record is kept for the shift; its alarms are over. */
  async cardEnded(card: SessionCard, reason?: string): Promise<void> {
    this.opts.alarms.clear(card.sessionId);
    const stills = await this.opts.stillsOf(card.sessionId).catch(() => []);
    this.ended.add(endedRecordOf(card.sessionId, card.label, card.events, stills, reason));
  }

  /** The card leaves the page (a while after its end); its rail row stays, in "recently ended". */
  remove(sessionId: string): void {
    this.#cards.delete(sessionId);
    if (this.rail.focused === sessionId) this.focus(this.#mostUrgent());
  }

  /** Focuses the session and shows it: its card if it is still on the page, else its ended record. */
  pick(sessionId: string): void {
    this.opts.alarms.acknowledge(sessionId, 'caller-message');
    const card = this.#cards.get(sessionId);
    if (!card) {
      this.ended.open(sessionId);
      return;
    }
    this.focus(sessionId);
    card.el.scrollIntoView({ block: 'start' });
  }

  focus(sessionId: string | undefined): void {
    this.rail.setFocused(sessionId);
    for (const [id, card] of this.#cards) card.setFocused(id === sessionId);
  }

  /** The next (or previous) session on the rail that has a card, round the end. */
  step(by: 1 | -1): void {
    const order = this.rail.order().filter((id) => this.#cards.has(id));
    if (!order.length) return;
    const at = order.indexOf(this.rail.focused ?? '');
    this.pick(order[(at + by + order.length) % order.length]!);
  }

  #focusedCard(): SessionCard | undefined {
    return this.#cards.get(this.rail.focused ?? '');
  }

  #mostUrgent(): string | undefined {
    return this.rail.order().find((id) => this.#cards.has(id) && this.#cards.get(id)!.status !== 'ended');
  }

  #labelOf(sessionId: string): string {
    return this.#cards.get(sessionId)?.label ?? this.ended.records.find((r) => r.sessionId === sessionId)?.label ?? sessionId;
  }

  #close(): void {
    this.rail.close();
    this.strip.close();
    for (const id of this.#cards.keys()) this.opts.alarms.clear(id);
    this.opts.railSlot.replaceChildren();
    this.opts.stripSlot.replaceChildren();
  }
}
