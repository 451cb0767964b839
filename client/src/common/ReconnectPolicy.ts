import { finalRefusal } from './finality.js';

/**
 * What a page does to bring a broken media path back, cheapest first: restart ICE on the same
 * transport (a new network path, same media), or rejoin (a new transport: the caller publishes again,
 * a receiver consumes again).
 */
export type RecoveryStep = 'restart-ice' | 'rejoin';

/** What the Reconnector knows when it asks its policy for the next move. */
export interface ReconnectContext {
  /**
   * Why a move is asked for: the transport said `disconnected` or `failed`; `lost`: the server forgot
   * this page's transports (its socket came back, or it reset the session's media); `after`: the step
   * `previous` just ran (and threw `error`, if set) and the path is not back.
   */
  readonly cause: 'disconnected' | 'failed' | 'lost' | 'after';
  /** Steps begun in this outage (0: none yet; a `connected` transport starts a new outage). */
  readonly attempt: number;
  /** Rejoins that threw in a row, in this outage. */
  readonly failedRejoins: number;
  readonly previous?: RecoveryStep;
  readonly error?: unknown;
  /** The step running now, if any. */
  readonly running?: RecoveryStep;
  /** The step waiting for its time, if any. */
  readonly waiting?: RecoveryStep;
}

/**
 * The policy's answer: take `step` in `delayMs` ms (it replaces the step waiting, if any); `none`:
 * nothing new (what waits, waits on); `give-up`: stop for good (the owner is told, with the error).
 */
export type ReconnectMove = { step: RecoveryStep; delayMs: number } | 'none' | 'give-up';

/** Decides the order and the delays of recovery; the Reconnector only keeps time. Compare LiveKit's ReconnectPolicy. */
export interface ReconnectPolicy {
  next(context: ReconnectContext): ReconnectMove;
}

export interface RecoveryTiming {
  /** ms between `disconnected` and the first ICE restart: the state is often transient (Wi-Fi to 4G). */
  graceMs: number;
  /** ms an ICE restart (or, receiving, any step) gets to bring the path back before the next step. */
  stepMs: number;
}

/** 1.5 s grace; 5 s steps keep recovery within ~10 s of the path healing (netns: media-outage, console-media-outage). */
export const DEFAULT_RECOVERY_TIMING: RecoveryTiming = { graceMs: 1500, stepMs: 5000 };

/** The caller's back-off between rejoins that threw: 500 ms, doubling, at most 4 s. */
export const REJOIN_BACKOFF = { firstMs: 500, maxMs: 4000 } as const;

/**
 * The caller's publisher: `disconnected` → ICE restart after the grace → rejoin if the restart did not
 * bring the path back within a step (at once if the restart could not even be asked for). `failed`, or
 * a server that lost the transports → rejoin at once. A rejoin that throws is retried with back-off
 * (REJOIN_BACKOFF) until it works, or given up when the server refuses for good (finalRefusal: the
 * session ended, the token no longer valid). A rejoin that worked waits for its transport's states.
 */
export class SendPolicy implements ReconnectPolicy {
  constructor(
    private readonly timing: RecoveryTiming = DEFAULT_RECOVERY_TIMING,
    private readonly isFinal: (err: unknown) => boolean = (err) => finalRefusal(err) !== undefined,
  ) {}

  next(c: ReconnectContext): ReconnectMove {
    // A rejoin under way (running, or waiting out its back-off) takes a new loss along.
    const rejoining = c.running === 'rejoin' || (c.waiting === 'rejoin' && c.failedRejoins > 0);
    if (c.cause === 'disconnected') return { step: 'restart-ice', delayMs: this.timing.graceMs };
    if (c.cause === 'failed' || c.cause === 'lost') return rejoining ? 'none' : { step: 'rejoin', delayMs: 0 };
    if (c.previous === 'restart-ice') return { step: 'rejoin', delayMs: c.error === undefined ? this.timing.stepMs : 0 };
    if (c.error === undefined) return 'none';
    if (this.isFinal(c.error)) return 'give-up';
    return { step: 'rejoin', delayMs: Math.min(REJOIN_BACKOFF.firstMs * 2 ** (c.failedRejoins - 1), REJOIN_BACKOFF.maxMs) };
  }
}

/**
 * A receive transport (console, viewer) whose path broke while its socket stays up:
 * 1. `disconnected`: wait the grace, then restart ICE (`failed`: at once, but never inside a step's window).
 * 2. Still down a step later: rejoin (new transport, new consumers), for a transport the restart cannot
 *    save (the server lost it, or its DTLS state is gone); also right after a restart that could not
 *    even be asked for.
 * 3. Still down: restart ICE again every step for as long as the outage lasts. Each restart gathers
 *    anew, so whenever the path heals a check in flight gets through within about one step; a browser
 *    gives up re-checking a failed path by itself. Receivers never give up while there is media to receive.
 */
export class ReceivePolicy implements ReconnectPolicy {
  constructor(private readonly timing: RecoveryTiming = DEFAULT_RECOVERY_TIMING) {}

  next(c: ReconnectContext): ReconnectMove {
    const first: RecoveryStep = c.attempt === 1 ? 'rejoin' : 'restart-ice';
    if (c.cause === 'disconnected') return c.running || c.waiting ? 'none' : { step: first, delayMs: this.timing.graceMs };
    // `failed` cuts the grace short, but never a step's window: a restart can fail fast, and must not spin.
    if (c.cause === 'failed') return c.running || (c.waiting && c.attempt > 0) ? 'none' : { step: first, delayMs: 0 };
    if (c.cause === 'lost') return { step: 'rejoin', delayMs: 0 };
    const rejoin = c.previous === 'restart-ice' && (c.error !== undefined || c.attempt === 1);
    return { step: rejoin ? 'rejoin' : 'restart-ice', delayMs: this.timing.stepMs };
  }
}
