/**
 * What the dispatcher must see now, from every session on the console: alarms (the picture is lost,
 * no frame arrives, a recording failed), the caller's typed messages, and warnings before a timeout.
 *
 * One item per (session, kind): raising a kind that is already up updates its text and counts the
 * repeat (three caller messages are one item, "3 new", showing the latest), so the strip never scrolls
 * a burst away. An item stays until its raiser clears it (the condition is over) or the dispatcher
 * acknowledges it (seen; it leaves the strip but an alarm-condition still marks the session's rail row
 * until cleared). Observers are told after every change; the strip chimes on its own (raisers do not
 * beep: one sound source, one place to silence it).
 *
 * Usage from a card panel (e.g. the per-screen video state):
 *   alarmStore.raise({ sessionId, kind: 'video-lost', text: 'VIDEO LOST — reconnecting' });
 *   alarmStore.clear(sessionId, 'video-lost');
 */
export const ALARM_KINDS = ['video-lost', 'no-video', 'recording-failed', 'caller-message', 'expiry'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** `alarm`: something is wrong now (red, sorts the session first); `message`: the caller wrote; `warning`: a timeout nears. */
export type AlarmSeverity = 'alarm' | 'message' | 'warning';

const SEVERITY: Record<AlarmKind, AlarmSeverity> = {
  'video-lost': 'alarm',
  'no-video': 'alarm',
  'recording-failed': 'alarm',
  'caller-message': 'message',
  expiry: 'warning',
};

export interface AlarmInput {
  sessionId: string;
  kind: AlarmKind;
  /** The words on the strip, in the dispatcher's language ("VIDEO LOST — reconnecting", the caller's message). */
  text: string;
}

export interface Alarm extends AlarmInput {
  readonly severity: AlarmSeverity;
  /** ms since the epoch of the latest raise. */
  readonly at: number;
  /** Raises since the item was last acknowledged (unread messages). */
  readonly count: number;
  readonly acknowledged: boolean;
}

export type AlarmChange = { type: 'raised'; alarm: Alarm; repeat: boolean } | { type: 'cleared' | 'acknowledged'; alarm: Alarm };

export class AlarmStore {
  #items = new Map<string, Alarm>();
  #observers = new Set<(change: AlarmChange) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Raises (or repeats) the item of this session and kind; it shows on the strip again even if acknowledged before. */
  raise(input: AlarmInput): Alarm {
    const key = keyOf(input.sessionId, input.kind);
    const prev = this.#items.get(key);
    const alarm: Alarm = {
      ...input,
      severity: SEVERITY[input.kind],
      at: this.now(),
      count: prev && !prev.acknowledged ? prev.count + 1 : 1,
      acknowledged: false,
    };
    this.#items.set(key, alarm);
    this.#tell({ type: 'raised', alarm, repeat: prev !== undefined && !prev.acknowledged });
    return alarm;
  }

  /** The condition is over: removes the item of this session and kind, or every item of the session without a kind. */
  clear(sessionId: string, kind?: AlarmKind): void {
    for (const alarm of this.forSession(sessionId)) {
      if (kind && alarm.kind !== kind) continue;
      this.#items.delete(keyOf(sessionId, alarm.kind));
      this.#tell({ type: 'cleared', alarm });
    }
  }

  /** The dispatcher has seen it: off the strip; unread counts drop to 0. Without a kind: all of the session's items. */
  acknowledge(sessionId: string, kind?: AlarmKind): void {
    for (const alarm of this.forSession(sessionId)) {
      if ((kind && alarm.kind !== kind) || alarm.acknowledged) continue;
      const seen: Alarm = { ...alarm, acknowledged: true, count: 0 };
      this.#items.set(keyOf(sessionId, alarm.kind), seen);
      this.#tell({ type: 'acknowledged', alarm: seen });
    }
  }

  /** Items not yet acknowledged, most severe first, then newest first: what the strip shows. */
  pending(): Alarm[] {
    const rank: Record<AlarmSeverity, number> = { alarm: 0, message: 1, warning: 2 };
    return [...this.#items.values()].filter((a) => !a.acknowledged).sort((a, b) => rank[a.severity] - rank[b.severity] || b.at - a.at);
  }

  forSession(sessionId: string): Alarm[] {
    return [...this.#items.values()].filter((a) => a.sessionId === sessionId);
  }

  /** Whether the session has an alarm-severity condition up (acknowledged or not): its rail row sorts first. */
  hasAlarm(sessionId: string): boolean {
    return this.forSession(sessionId).some((a) => a.severity === 'alarm');
  }

  /** Unread caller messages of the session. */
  unread(sessionId: string): number {
    return this.#items.get(keyOf(sessionId, 'caller-message'))?.count ?? 0;
  }

  /** Observes every change; returns the unsubscribe. A throwing observer does not stop the others. */
  observe(observer: (change: AlarmChange) => void): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  #tell(change: AlarmChange): void {
    for (const o of [...this.#observers]) {
      try {
        o(change);
      } catch (err) {
        console.error('alarm observer failed', err);
      }
    }
  }
}

function keyOf(sessionId: string, kind: AlarmKind): string {
  return `${sessionId}\u0000${kind}`;
}

/** The console page's one store: card panels raise into it, the strip and the rail observe it. */
export const alarmStore = new AlarmStore();
