import type { SessionEvent } from '@sightline/shared';
import { NotFoundError, RateLimitedError } from '../errors.js';
import type { SessionService } from '../sessions/SessionService.js';

export interface FirstFramesOptions {
  /** How long a report waits for its producer's `media_started` to reach the log (ms; default 5000). */
  waitMs?: number;
  /** How often the log is read again meanwhile (ms; default 200). */
  pollMs?: number;
}

/**
 * The console's report that it decoded the first frame of a media start (`media:first-frame`,
 * issue #16 §1), turned into the log's `first_frame`, once per media start (per caller video
 * producer) however many consoles, tabs or reconnects report it. Reports of one session are
 * recorded one at a time and the log decides (a `first_frame` for the producer already there: nothing new),
 * so two consoles at once log one. Details: `producerId`; `msSinceMediaStarted` (since the
 * producer's `media_started`, by the log's clock); on the session's first `first_frame`,
 * `msSinceSmsSent` (since its first `sms_sent`: the figure of sightline_time_to_first_frame_seconds).
 *
 * One node serialises its own reports; two consoles on two nodes reporting in the same instant
 * could each log one (not guarded: the cluster has no per-session lock for it).
 */
/** Reports of one session waiting for their `media_started` at once, at most: one per console and a reload's. */
const MAX_WAITING = 4;

export class FirstFrames {
  #queues = new Map<string, Promise<unknown>>();
  #waiting = new Map<string, number>();

  constructor(
    private readonly sessions: Pick<SessionService, 'events' | 'record'>,
    private readonly opts: FirstFramesOptions = {},
  ) {}

  /**
   * @returns `logged: false` when this media start's first frame is on the log already.
   * The figures are taken when the report comes; waiting for the producer's `media_started` is done
   * apart per report, and only the check and the write are taken one at a time per session.
   * @throws NotFoundError when `producerId` is not one of the session's caller video producers
   *   (audio, the dispatcher's show-me picture, anything unknown) within `waitMs`.
   * @throws RateLimitedError when MAX_WAITING reports of the session are waiting already.
   */
  async report(sessionId: string, producerId: string, actor: string): Promise<{ logged: boolean }> {
    // The frame showed when the report came, whatever waits after: the figures are taken now.
    const at = Date.now();
    // Waited for apart, so a report of a producer that never starts holds no other report back.
    const started = await this.#started(sessionId, producerId);
    // Only the check and the write are taken one at a time per session: two reports at once log one.
    const previous = this.#queues.get(sessionId) ?? Promise.resolve();
    const run = previous.then(() => this.#record(sessionId, producerId, actor, started, at));
    const settled = run.catch(() => undefined);
    this.#queues.set(sessionId, settled);
    void settled.then(() => {
      if (this.#queues.get(sessionId) === settled) this.#queues.delete(sessionId);
    });
    return run;
  }

  async #record(sessionId: string, producerId: string, actor: string, started: SessionEvent, at: number): Promise<{ logged: boolean }> {
    const events = await this.sessions.events(sessionId);
    if (events.some((e) => e.type === 'first_frame' && e.details?.['producerId'] === producerId)) return { logged: false };
    const smsSent = events.find((e) => e.type === 'sms_sent');
    const firstOfSession = !events.some((e) => e.type === 'first_frame');
    await this.sessions.record(sessionId, 'first_frame', actor, {
      producerId,
      msSinceMediaStarted: Math.max(0, at - Date.parse(started.at)),
      ...(firstOfSession && smsSent && { msSinceSmsSent: Math.max(0, at - Date.parse(smsSent.at)) }),
    });
    return { logged: true };
  }

  /**
   * The session's log with the producer's video `media_started` in it. The console may decode a
   * frame before that record is written (it is told of the producer first: sessions/MediaStates.ts),
   * so the log is read again for a while before the producer counts as none of the caller's.
   */
  async #started(sessionId: string, producerId: string): Promise<SessionEvent> {
    const until = Date.now() + (this.opts.waitMs ?? 5000);
    let counted = false;
    try {
      for (;;) {
        const events = await this.sessions.events(sessionId);
        const started = events.find((e) => e.type === 'media_started' && e.details?.['producerId'] === producerId);
        if (started) {
          if (started.details?.['kind'] !== 'video') break;
          return started;
        }
        if (Date.now() >= until) break;
        if (!counted) {
          // Only reports that must wait count: one per console and a reload's, not a pile.
          const waiting = this.#waiting.get(sessionId) ?? 0;
          if (waiting >= MAX_WAITING) throw new RateLimitedError(1, 'firstFramesWaiting');
          this.#waiting.set(sessionId, waiting + 1);
          counted = true;
        }
        await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 200));
      }
    } finally {
      if (counted) {
        const left = (this.#waiting.get(sessionId) ?? 1) - 1;
        if (left) this.#waiting.set(sessionId, left);
        else this.#waiting.delete(sessionId);
      }
    }
    throw new NotFoundError("the caller's video producer");
  }
}
