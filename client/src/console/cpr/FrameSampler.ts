import type { LumaFrame } from './analyseWindow.js';

/**
 * Samples the caller's decoded video for the CPR coach (issue #15 §2): each new frame drawn at
 * SAMPLE_SIZE on a canvas and turned to luma. requestVideoFrameCallback where the browser has it
 * (Chromium, Firefox, Safari): one sample per decoded frame, timed by the frame's RTP timestamp when
 * known (its capture clock, free of playout jitter); else a 30 Hz timer.
 *
 * Cost: one 32×24 draw and read-back per frame, handed on (to the estimator's worker); `cost` keeps
 * the mean and the worst (ms), which the card shows in a data attribute for the tests and benchmarks.
 */
export const SAMPLE_SIZE = { width: 32, height: 24 } as const;

type FrameMeta = { rtpTimestamp?: number; captureTime?: number };
type VideoWithFrames = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: FrameMeta) => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

export class FrameSampler {
  readonly cost = { frames: 0, totalMs: 0, maxMs: 0 };
  #ctx: CanvasRenderingContext2D | null;
  #handle: number | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #rtpOffset: number | undefined;
  #running = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly onFrame: (frame: LumaFrame & { luma: Uint8Array }) => void,
  ) {
    const canvas = document.createElement('canvas');
    canvas.width = SAMPLE_SIZE.width;
    canvas.height = SAMPLE_SIZE.height;
    this.#ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (this.#ctx) this.#ctx.imageSmoothingQuality = 'high';
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const v = this.video as VideoWithFrames;
    if (typeof v.requestVideoFrameCallback === 'function') {
      const next = (now: number, meta: FrameMeta) => {
        if (!this.#running) return;
        this.#sample(this.#timeOf(now, meta));
        this.#handle = v.requestVideoFrameCallback!(next);
      };
      this.#handle = v.requestVideoFrameCallback(next);
    } else this.#timer = setInterval(() => this.#sample(performance.now()), 1000 / 30);
  }

  stop(): void {
    this.#running = false;
    const v = this.video as VideoWithFrames;
    if (this.#handle !== undefined) v.cancelVideoFrameCallback?.(this.#handle);
    clearInterval(this.#timer);
    this.#handle = undefined;
    this.#timer = undefined;
    this.#rtpOffset = undefined;
  }

  /** Mean cost of a sample on this thread, ms (draw, read back, luma, hand-over). */
  get meanMs(): number {
    return this.cost.frames ? this.cost.totalMs / this.cost.frames : 0;
  }

  /** The frame's capture time on the page's clock: RTP time (90 kHz) mapped onto `now`, else `now`. */
  #timeOf(now: number, meta: FrameMeta): number {
    if (typeof meta.rtpTimestamp !== 'number') return now;
    const rtpMs = meta.rtpTimestamp / 90;
    // A new stream, a wrapped clock or a long stall: map again.
    if (this.#rtpOffset === undefined || Math.abs(rtpMs + this.#rtpOffset - now) > 1000) this.#rtpOffset = now - rtpMs;
    return rtpMs + this.#rtpOffset;
  }

  #sample(t: number): void {
    const ctx = this.#ctx;
    const v = this.video;
    if (!ctx || v.readyState < 2 || v.videoWidth === 0) return;
    const started = performance.now();
    const { width, height } = SAMPLE_SIZE;
    ctx.drawImage(v, 0, 0, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const luma = new Uint8Array(width * height);
    for (let p = 0; p < luma.length; p++) luma[p] = (77 * rgba[p * 4]! + 150 * rgba[p * 4 + 1]! + 29 * rgba[p * 4 + 2]!) >> 8;
    this.onFrame({ t, luma });
    const ms = performance.now() - started;
    this.cost.frames++;
    this.cost.totalMs += ms;
    this.cost.maxMs = Math.max(this.cost.maxMs, ms);
  }
}
