/** One look at a video consumer's inbound statistics. */
export interface FreezeSample {
  /** ms (any monotonic clock). */
  at: number;
  framesDecoded: number;
  packetsReceived: number;
}

/**
 * Tells when a receiver's picture has stopped although its media still arrives, so the page can ask
 * for a key frame at once (media:key-frame) instead of waiting for the browser: Chrome asks only after
 * 3 s without a decodable frame, and a packet the SFU itself never got (mediasoup 3.19.3 drops an
 * original whose RTX probe copy came first, versatica/mediasoup#906) is never retransmitted.
 * Stopped means: no frame decoded for `stallMs`, or 3 frame intervals at the recent rate if that is
 * longer (a dark camera sends fewer frames), while packets keep coming (a paused or cut-off sender
 * sends none: a key frame would not help). At most one ask per `retryMs`.
 */
export class FreezeWatch {
  #lastFrameAt: number | undefined;
  #frames = 0;
  #packetsAtFrame = 0;
  /** Recent frame interval (ms), smoothed. */
  #interval: number | undefined;
  #askedAt = -Infinity;

  constructor(
    private readonly stallMs = 150,
    private readonly retryMs = 500,
  ) {}

  /** Feeds one sample; true when a key frame should be asked for now. */
  observe(s: FreezeSample): boolean {
    if (this.#lastFrameAt === undefined || s.framesDecoded < this.#frames) {
      // First look, or a new consumer (counters restarted): nothing to compare with yet.
      this.#reset(s);
      return false;
    }
    if (s.framesDecoded > this.#frames) {
      const interval = (s.at - this.#lastFrameAt) / (s.framesDecoded - this.#frames);
      this.#interval = this.#interval === undefined ? interval : 0.8 * this.#interval + 0.2 * interval;
      this.#frames = s.framesDecoded;
      this.#lastFrameAt = s.at;
      this.#packetsAtFrame = s.packetsReceived;
      return false;
    }
    // No frame rate known yet (the first frames): the server asked for a key frame at the start anyway.
    if (this.#interval === undefined) return false;
    const limit = Math.max(this.stallMs, 3 * this.#interval);
    const stalled = s.at - this.#lastFrameAt >= limit && s.packetsReceived > this.#packetsAtFrame;
    if (!stalled || s.at - this.#askedAt < this.retryMs) return false;
    this.#askedAt = s.at;
    return true;
  }

  #reset(s: FreezeSample): void {
    this.#frames = s.framesDecoded;
    this.#lastFrameAt = s.at;
    this.#packetsAtFrame = s.packetsReceived;
    this.#interval = undefined;
  }
}
