import type { ReconnectContext, ReconnectPolicy, RecoveryStep } from './ReconnectPolicy.js';

/** What the owner of a transport lets the Reconnector do and see. */
export interface ReconnectSteps {
  /** Restarts ICE on the current transport; throws when it cannot even be asked for (no transport, no answer). */
  restartIce(): Promise<void>;
  /** A new transport: publish again (caller) or consume again (receivers); throws when that failed. */
  rejoin(): Promise<void>;
  /** Whether the current transport is `connected`. */
  connected(): boolean;
  /** Whether there is media to recover (a receive transport without consumers never connects). Default: always. */
  wanted?(): boolean;
}

/**
 * Keeps time for a page's media recovery; its ReconnectPolicy decides the order and the delays (ICE
 * restart, then rejoin, then back-off). One step runs at a time, and one waits at most.
 *
 * Feed it the current transport's states (`onState`) and `lost()` when the server forgot the page's
 * transports. A `connected` transport ends the outage: what waits is dropped and the count starts
 * again. A step whose time comes while the path is back (or nothing is wanted) is dropped too, except
 * a rejoin for transports the server lost or a retry of a rejoin that threw: those always run.
 */
export class Reconnector {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #waiting: RecoveryStep | undefined;
  #running: RecoveryStep | undefined;
  /** A step whose time came while another ran: it runs as soon as that one ends. */
  #queued: { step: RecoveryStep; always: boolean } | undefined;
  #attempt = 0;
  #failedRejoins = 0;
  #closed = false;
  #stepObservers = new Set<(step: RecoveryStep, attempt: number) => void>();
  #giveUpObservers = new Set<(error: unknown) => void>();

  constructor(
    private readonly steps: ReconnectSteps,
    private readonly policy: ReconnectPolicy,
  ) {}

  /** Observes every step as it begins (`attempt`: 0 for the outage's first); returns the unsubscribe. */
  onStep(listener: (step: RecoveryStep, attempt: number) => void): () => void {
    this.#stepObservers.add(listener);
    return () => this.#stepObservers.delete(listener);
  }

  /** Observes the policy giving up (with the error of the last step); the Reconnector then stops for good. */
  onGiveUp(listener: (error: unknown) => void): () => void {
    this.#giveUpObservers.add(listener);
    return () => this.#giveUpObservers.delete(listener);
  }

  /** True while a rejoin runs or waits out its back-off after one that threw. */
  get rejoining(): boolean {
    return this.#running === 'rejoin' || (this.#waiting === 'rejoin' && this.#failedRejoins > 0);
  }

  /**
   * Feed of the current transport's connection state. `new` and `connecting` change nothing: Firefox
   * enters `connecting` as soon as an ICE restart begins, and dropping the step waiting there lost the
   * caller's 5 s fallback (it then waited ~14 s more for Firefox to call the restarted ICE failed).
   */
  onState(state: string): void {
    if (this.#closed) return;
    if (state === 'connected') this.#reset();
    else if (state === 'disconnected' || state === 'failed') this.#ask({ cause: state });
  }

  /** The server forgot this page's transports (its socket came back, or it reset the session's media). */
  lost(): void {
    if (!this.#closed) this.#ask({ cause: 'lost' });
  }

  /** Forgets the outage in progress (the transport was closed on purpose). */
  reset(): void {
    this.#reset();
  }

  /** Stops for good: nothing waits, nothing new starts (a running step finishes, and is the last). */
  close(): void {
    this.#closed = true;
    this.#reset();
  }

  #reset(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting = undefined;
    this.#queued = undefined;
    this.#attempt = 0;
    this.#failedRejoins = 0;
  }

  #ask(why: Pick<ReconnectContext, 'cause' | 'previous' | 'error'>): void {
    const context: ReconnectContext = {
      ...why,
      attempt: this.#attempt,
      failedRejoins: this.#failedRejoins,
      running: this.#running,
      waiting: this.#waiting,
    };
    const move = this.policy.next(context);
    if (move === 'none') return;
    if (move === 'give-up') {
      this.close();
      for (const listener of [...this.#giveUpObservers]) safely(() => listener(why.error));
      return;
    }
    // The server holds no transport of ours: a path that looks connected is not.
    const always = move.step === 'rejoin' && (why.cause === 'lost' || (why.previous === 'rejoin' && why.error !== undefined));
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting = undefined;
    this.#queued = undefined;
    // No delay means now, not on the next timer tick: a failed path is left at once.
    if (move.delayMs <= 0) return void this.#run(move.step, always);
    this.#waiting = move.step;
    this.#timer = setTimeout(() => void this.#run(move.step, always), move.delayMs);
  }

  async #run(step: RecoveryStep, always: boolean): Promise<void> {
    this.#timer = undefined;
    this.#waiting = undefined;
    if (this.#closed) return;
    // One step at a time: this one waits for the running one to end (a `failed` transport while an
    // ICE restart is being asked for: the rejoin follows the answer, not the next step's window).
    if (this.#running) {
      this.#queued = { step, always };
      this.#waiting = step;
      return;
    }
    if (!always && (this.steps.connected() || this.steps.wanted?.() === false)) return this.#reset();
    const attempt = this.#attempt++;
    for (const listener of [...this.#stepObservers]) safely(() => listener(step, attempt));
    this.#running = step;
    let error: unknown;
    try {
      await (step === 'rejoin' ? this.steps.rejoin() : this.steps.restartIce());
    } catch (err) {
      error = err ?? new Error(`${step} failed`);
    } finally {
      this.#running = undefined;
    }
    if (step === 'rejoin') this.#failedRejoins = error === undefined ? 0 : this.#failedRejoins + 1;
    if (this.#closed) return;
    const queued = this.#queued;
    this.#queued = undefined;
    if (queued) return this.#run(queued.step, queued.always);
    if (error === undefined && this.steps.connected()) return;
    this.#ask({ cause: 'after', previous: step, error });
  }
}

/** A broken observer must not stop recovery. */
function safely(call: () => void): void {
  try {
    call();
  } catch {
    // ignored on purpose
  }
}
