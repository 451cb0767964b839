import type { SessionStatus } from '@sightline/shared';

/** What one screen shows of the caller's video (CONTRACT.md "At a glance": `video-state`'s `data-state`). */
export type VideoStateName = 'connecting' | 'live' | 'paused' | 'lost' | 'ended';
export const VIDEO_STATE_NAMES: readonly VideoStateName[] = ['connecting', 'live', 'paused', 'lost', 'ended'];

/**
 * Why this screen alarms:
 * - `no-frame`: the server says live, yet this screen has decoded no frame within the bound;
 * - `stalled`: frames decoded here, then stopped although the caller did not pause;
 * - `caller-gone`: the server says the caller's media is gone (`reconnecting`).
 */
export type VideoAlarm = 'no-frame' | 'stalled' | 'caller-gone';

export interface VideoStateSnapshot {
  state: VideoStateName;
  /** When this state began (ms, on the clock the inputs carry); a `connecting` restarts it when the server goes live. */
  since: number;
  /** Set while this screen must alarm; always set for `lost`, set for `connecting` past the no-frame bound. */
  alarm: VideoAlarm | undefined;
  /** `connecting` only: the server does not say live yet (the caller has not started): a wait, not a fault. */
  waiting: boolean;
}

export interface VideoStateBounds {
  /**
   * ms the server may say live while this screen has decoded nothing, before it alarms. 5 s: the
   * tap-to-first-frame median is ~0.3 s on one node and ~1 s under load (docs/benchmarks.md); Chrome
   * itself asks for a key frame after 3 s without one, so a first key frame lost once still arrives
   * well inside 5 s, while a dispatcher looking at a black box learns of it before they would ask.
   */
  noFrameMs: number;
  /** ms without a new decoded frame, not paused, after which a picture that played counts as lost (the old stall bound). */
  stallMs: number;
}

export const DEFAULT_BOUNDS: VideoStateBounds = { noFrameMs: 5_000, stallMs: 3_000 };

/**
 * One screen's video state, from what the server says and what this screen decodes (issue #14,
 * part 2). Pure: no timers, no DOM; every input carries its time (`at`, ms on any monotonic clock),
 * and `tick` lets time pass. Rules, first match wins:
 * 1. the session ended → `ended` (for good);
 * 2. the server says `reconnecting` (the caller's media is gone) → `lost`, alarm `caller-gone`;
 * 3. the server does not say live yet → `connecting`, waiting, no alarm;
 * 4. the caller paused → `paused`, no alarm (the picture is black or frozen on purpose);
 * 5. frames decoded here within `stallMs` → `live`;
 * 6. never a frame here → `connecting`, alarm `no-frame` once the server has said live (or this screen
 *    started, or the caller resumed, or a new stream came) `noFrameMs` ago;
 * 7. else → `lost`, alarm `stalled`.
 * A resume restarts the stall clock, so a caller's resume goes paused → live without alarm.
 */
export class VideoState {
  #status: SessionStatus | undefined;
  #paused = false;
  #producer = false;
  #frames = 0;
  #hadFrames = false;
  #lastProgressAt = -Infinity;
  /** Since when this screen has been waiting for its first frame with the server saying live. */
  #waitFrom: number;
  #current: VideoStateSnapshot;
  #observers = new Set<(s: VideoStateSnapshot, previous: VideoStateSnapshot) => void>();

  constructor(
    at: number,
    private readonly bounds: VideoStateBounds = DEFAULT_BOUNDS,
  ) {
    this.#waitFrom = at;
    this.#current = { state: 'connecting', since: at, alarm: undefined, waiting: true };
  }

  get current(): VideoStateSnapshot {
    return this.#current;
  }

  /** Observes every change of state, alarm or waiting; returns the unsubscribe. */
  onChange(listener: (s: VideoStateSnapshot, previous: VideoStateSnapshot) => void): () => void {
    this.#observers.add(listener);
    return () => this.#observers.delete(listener);
  }

  /** The server's session status (session:join, session:event); `ended` also from session:ended. */
  session(status: SessionStatus, at: number): void {
    if (status === 'live' && this.#status !== 'live') this.#waitFrom = at;
    this.#status = status;
    this.#update(at);
  }

  /** The caller paused (or resumed) their video: caller:media, or a media_paused / media_resumed event. */
  callerPaused(paused: boolean, at: number): void {
    if (paused === this.#paused) return this.#update(at);
    this.#paused = paused;
    if (!paused) this.#restartClocks(at);
    this.#update(at);
  }

  /** Whether a video stream for this screen exists (producer announced and consumed, or gone). */
  producer(present: boolean, at: number): void {
    // A new stream needs its key frame: a first wait starts again, and a live picture gets the stall
    // bound afresh (a codec switch); a lost one stays lost until frames show.
    if (present && !this.#producer) {
      this.#waitFrom = at;
      if (this.#current.state === 'live') this.#lastProgressAt = Math.max(this.#lastProgressAt, at);
    }
    this.#producer = present;
    this.#update(at);
  }

  /** This screen's decode progress: the video consumer's `framesDecoded` (getStats inbound-rtp). */
  frames(framesDecoded: number, at: number): void {
    // A count that went down is a new consumer (its counter starts again): progress if it decoded any.
    const progressed = framesDecoded > this.#frames || (framesDecoded < this.#frames && framesDecoded > 0);
    this.#frames = framesDecoded;
    if (progressed) {
      this.#hadFrames = true;
      this.#lastProgressAt = at;
    }
    this.#update(at);
  }

  /** Time passes with nothing to read (no video consumer yet): the bounds still run. */
  tick(at: number): void {
    this.#update(at);
  }

  #restartClocks(at: number): void {
    this.#waitFrom = at;
    this.#lastProgressAt = Math.max(this.#lastProgressAt, at);
  }

  #derive(at: number): Omit<VideoStateSnapshot, 'since'> {
    const s = this.#status;
    if (s === 'ended') return { state: 'ended', alarm: undefined, waiting: false };
    if (s === 'reconnecting') return { state: 'lost', alarm: 'caller-gone', waiting: false };
    if (s !== 'live') return { state: 'connecting', alarm: undefined, waiting: true };
    if (this.#paused) return { state: 'paused', alarm: undefined, waiting: false };
    if (this.#hadFrames && at - this.#lastProgressAt < this.bounds.stallMs) return { state: 'live', alarm: undefined, waiting: false };
    if (!this.#hadFrames) return { state: 'connecting', alarm: at - this.#waitFrom >= this.bounds.noFrameMs ? 'no-frame' : undefined, waiting: false };
    return { state: 'lost', alarm: 'stalled', waiting: false };
  }

  #update(at: number): void {
    const prev = this.#current;
    if (prev.state === 'ended') return;
    const next = this.#derive(at);
    if (next.state === prev.state && next.alarm === prev.alarm && next.waiting === prev.waiting) return;
    // A connecting screen's timer counts from when the server said live, not from the wait before it.
    const restart = next.state !== prev.state || next.waiting !== prev.waiting;
    this.#current = { ...next, since: restart ? (next.state === 'connecting' && !next.waiting ? this.#waitFrom : at) : prev.since };
    for (const l of [...this.#observers]) {
      try {
        l(this.#current, prev);
      } catch {
        // One broken observer must not keep the others (the alarm) from hearing.
      }
    }
  }
}

/** The `framesDecoded` of a report's inbound video, or undefined when it has none (no consumer yet). */
export function framesDecodedIn(report: RTCStatsReport | undefined): number | undefined {
  let frames: number | undefined;
  report?.forEach((s: { type?: string; kind?: string; framesDecoded?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames = Math.max(frames ?? 0, s.framesDecoded ?? 0);
  });
  return frames;
}
