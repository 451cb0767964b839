import { analyseWindow, type LumaFrame, type NoReadingReason } from './analyseWindow.js';
import { ENVELOPE_MS, PauseTracker, peakToPeak, projection } from './PauseTracker.js';

/**
 * The CPR coach's measurement over a stream of frames (issue #15 §2), pure: frames in, readings,
 * windows and pauses out, all on the frames' own clock (ms). The console feeds it the caller's
 * decoded video (FrameSampler) and reports what comes out.
 *
 * - a reading every READING_MS: the rate over the last ANALYSIS_MS, or no reading;
 * - a window every `windowSeconds` (the log's CPR_WINDOW_SECONDS): the median of its readings' rates when at least half of them
 *   had one (else no reading), and its hands-off seconds;
 * - a pause whenever the hands were off ≥ `pauseMinSeconds` (CPR_PAUSE_MIN_SECONDS) and compressions resume (or the
 *   measurement stops), with its length.
 */

/** A reading shown to the dispatcher every few seconds. */
export const READING_MS = 2500;
/** The analysis looks this far back, ms: ≥ 5 cycles at 40 /min, and short enough to follow a change within 10 s. */
export const ANALYSIS_MS = 8000;

export interface CprReading {
  /** ms, the estimator's clock. */
  at: number;
  /** Compressions per minute, whole, or null: no reading. */
  rate: number | null;
  reason: NoReadingReason | 'ok' | 'paused';
  /** Seconds since the hands came off, while they are off. */
  pausedFor?: number;
}

export interface CprWindowReport {
  at: number;
  rate: number | null;
  quality: 'ok' | 'none';
  seconds: number;
  handsOffSeconds: number;
}

export interface CprPauseReport {
  /** When the hands came off and when compressions resumed, ms. */
  start: number;
  end: number;
  seconds: number;
}

/**
 * The log's rules (shared/src/sessions/cpr.ts), passed in: this module stays free of the shared
 * package so the estimator's worker does not carry its schemas.
 */
export interface CprRules {
  windowSeconds: number;
  pauseMinSeconds: number;
}

export class CprEstimator {
  readonly readings = new Set<(r: CprReading) => void>();
  readonly windows = new Set<(w: CprWindowReport) => void>();
  readonly pauses = new Set<(p: CprPauseReport) => void>();
  #frames: LumaFrame[] = [];
  #pause = new PauseTracker();
  #start: number | undefined;
  #nextReading = 0;
  #windowStart = 0;
  #windowReadings: CprReading[] = [];
  #stopped = false;

  constructor(private readonly rules: CprRules) {
    this.#pause.ended.add((span) => {
      const seconds = (span.end - span.start) / 1000;
      if (seconds >= rules.pauseMinSeconds) emit(this.pauses, { start: span.start, end: span.end, seconds: round1(seconds) });
    });
  }

  /** One decoded frame (small luma image, the same size every time); `t` ascending. */
  push(frame: LumaFrame): void {
    if (this.#stopped) return;
    const last = this.#frames[this.#frames.length - 1];
    // A restarted stream (new clock or size): its history says nothing about this one.
    if (last && (frame.t <= last.t || last.luma.length !== frame.luma.length)) this.#frames = [];
    this.#frames.push(frame);
    while (this.#frames[0]!.t < frame.t - ANALYSIS_MS) this.#frames.shift();
    this.#pause.push(frame.t, frame.luma);
    this.advance(frame.t);
  }

  /**
   * The clock moved to `t` (ms) with or without a frame: readings and windows fall due. A picture
   * that stopped gives no reading.
   */
  advance(t: number): void {
    if (this.#stopped) return;
    if (this.#start === undefined) {
      this.#start = t;
      this.#nextReading = t + READING_MS;
      this.#windowStart = t;
    }
    while (t >= this.#nextReading) {
      this.#read(this.#nextReading);
      this.#nextReading += READING_MS;
    }
    const windowEnd = this.#windowStart + this.rules.windowSeconds * 1000;
    if (t >= windowEnd) this.#closeWindow(windowEnd);
  }

  /** Stops at `t`: the window so far (if ≥ 1 s) and a pause still open (if long enough) are reported. */
  stop(t: number): void {
    if (this.#stopped || this.#start === undefined) return;
    if (t - this.#windowStart >= 1000) this.#closeWindow(t);
    const open = this.#pause.still;
    if (open && (t - open.start) / 1000 >= this.rules.pauseMinSeconds)
      emit(this.pauses, { start: open.start, end: t, seconds: round1((t - open.start) / 1000) });
    this.#stopped = true;
  }

  #read(at: number): void {
    // Only compressions since the last pause: a rhythm resumed out of phase would bias the rate.
    const from = Math.max(at - ANALYSIS_MS, this.#pause.lastResumed ?? -Infinity);
    const frames = this.#frames.filter((f) => f.t > from && f.t <= at);
    const analysis = analyseWindow(frames);
    const still = this.#pause.still;
    let reading: CprReading;
    if (still) reading = { at, rate: null, reason: 'paused', pausedFor: round1((at - still.start) / 1000) };
    else if (analysis.rate === null) reading = { at, rate: null, reason: analysis.reason };
    else reading = { at, rate: Math.round(analysis.rate), reason: 'ok' };
    if (analysis.pattern && !still) this.#pause.setReference(analysis.pattern, referenceEnvelope(frames, analysis.pattern));
    this.#windowReadings.push(reading);
    emit(this.readings, reading);
  }

  #closeWindow(end: number): void {
    const rates = this.#windowReadings.flatMap((r) => (r.rate === null ? [] : [r.rate]));
    const enough = rates.length > 0 && rates.length * 2 >= this.#windowReadings.length;
    const rate = enough ? Math.round(median(rates)) : null;
    const seconds = (end - this.#windowStart) / 1000;
    const handsOff = Math.min(seconds, this.#pause.stillWithin(this.#windowStart, end));
    emit(this.windows, { at: end, rate, quality: rate === null ? 'none' : 'ok', seconds: round1(seconds), handsOffSeconds: round1(handsOff) });
    this.#pause.trim(end);
    this.#windowStart = end;
    this.#windowReadings = [];
  }
}

/** The compressions' typical envelope in these frames: the median of the sliding peak-to-peak of their projection. */
function referenceEnvelope(frames: readonly LumaFrame[], pattern: Float32Array): number {
  const s = frames.map((f) => projection(f.luma, pattern));
  const envelopes: number[] = [];
  let from = 0;
  for (let i = 0; i < frames.length; i++) {
    while (frames[from]!.t < frames[i]!.t - ENVELOPE_MS) from++;
    if (frames[i]!.t - frames[0]!.t >= ENVELOPE_MS) envelopes.push(peakToPeak(s.slice(from, i + 1)));
  }
  return median(envelopes);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : Math.round(((sorted[mid - 1]! + sorted[mid]!) / 2) * 10) / 10;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Observers must not break the measurement: one that throws is skipped. */
function emit<T>(observers: Set<(v: T) => void>, value: T): void {
  for (const o of [...observers]) {
    try {
      o(value);
    } catch {
      // An observer's own fault; the others and the measurement go on.
    }
  }
}
