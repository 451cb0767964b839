import { h } from '../../common/dom.js';
import type { AlarmStore } from '../alarms/AlarmStore.js';
import { formatTime, t, utcInstant } from '../../staff-i18n/index.js';

/** How long before a deadline the dispatcher is warned: time to read out a new code or resend. */
export const WARN_BEFORE_MS = 2 * 60_000;

export type Deadline = 'code' | 'link';

// The link's offer says the session ends with its invite (server SessionTimers, invite_expired): only a new session's link helps.

/**
 * Warnings before the timeouts a waiting session runs into (issue #14 §1: "link expires 07:54 —
 * send a new one?"): shown on the card with a button that does the remedy, and raised on the alarm
 * strip, from `WARN_BEFORE_MS` before the deadline until the caller gets in, the deadline moves (a
 * new code) or the session ends. Deadlines come from what the console is told: the spoken code's
 * `expiresAt` (its answer, `code_issued`/`code_replaced` events) and the invite's, when known.
 */
export class ExpiryWatch {
  readonly el = h('p', { class: 'expiry-warning', testid: 'expiry-warning', role: 'status', hidden: true });
  #deadlines = new Map<Deadline, number>();
  #waiting = true;
  #timer: ReturnType<typeof setInterval> | undefined;
  #text = h('span');
  #remedy: HTMLButtonElement;
  #shown: Deadline | undefined;

  /** `remedies`: what the button does per deadline (issue a new code, resend the SMS). */
  constructor(
    private readonly sessionId: string,
    private readonly alarms: AlarmStore,
    private readonly remedies: Record<Deadline, { label: string; run: () => void }>,
  ) {
    this.#remedy = h('button', { type: 'button', class: 'small', testid: 'expiry-remedy' });
    this.#remedy.addEventListener('click', () => this.#shown && this.remedies[this.#shown].run());
    this.el.append(this.#text, ' ', this.#remedy);
  }

  /** A deadline (ms since the epoch), or undefined once it no longer applies. */
  set(kind: Deadline, at: number | undefined): void {
    if (at === undefined || Number.isNaN(at)) this.#deadlines.delete(kind);
    else this.#deadlines.set(kind, at);
    this.check();
  }

  /** Whether the session still waits for the caller: only then do its deadlines matter. */
  setWaiting(waiting: boolean): void {
    this.#waiting = waiting;
    this.check();
  }

  /** Re-evaluates now (also every 5 s while a deadline is set). */
  check(now = Date.now()): void {
    const due = this.#waiting ? [...this.#deadlines].filter(([, at]) => at - now <= WARN_BEFORE_MS).sort((a, b) => a[1] - b[1])[0] : undefined;
    if (this.#waiting && this.#deadlines.size) this.#timer ??= setInterval(() => this.check(), 5000);
    else this.stop();
    if (!due) {
      if (this.#shown) this.alarms.clear(this.sessionId, 'expiry');
      this.#shown = undefined;
      this.el.hidden = true;
      return;
    }
    const [kind, at] = due;
    const time = formatTime(at, 'minutes');
    const text = t(at > now ? `console.expiry.${kind}.expires` : `console.expiry.${kind}.expired`, { time });
    this.#text.title = utcInstant(at);
    this.el.hidden = false;
    this.el.dataset['kind'] = kind;
    this.#remedy.textContent = this.remedies[kind].label;
    this.#text.textContent = text;
    // Raised once per deadline shown (the strip chimes at a raise), not at every check.
    if (this.#shown !== kind) this.alarms.raise({ sessionId: this.sessionId, kind: 'expiry', text });
    this.#shown = kind;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
