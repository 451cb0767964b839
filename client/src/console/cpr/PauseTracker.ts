/**
 * Pauses in compressions (issue #15 §2: "no compressions for ≥ 2 s"), frame by frame. Once a reading
 * has shown compressions, each frame is projected onto their spatial pattern; the motion envelope
 * is that projection's peak-to-peak over the last ENVELOPE_MS. Below STILL_FRACTION of the envelope
 * the compressions had (their reference), the hands are off. Without a reference nothing is said:
 * a still scene before any compressions is "no reading", not a pause.
 *
 * Timing: the envelope falls below the threshold ENVELOPE_MS after the last movement, so a still
 * stretch starts ENVELOPE_MS before it is noticed; it ends at the first frame that moves again.
 */

/** Trailing window of the motion envelope, ms: longer than half a cycle at 40 /min, so no turning point looks still. */
export const ENVELOPE_MS = 800;
/** Still below this share of the compressions' own envelope: well above the codec's flicker, well under a shallow compression. */
export const STILL_FRACTION = 0.3;

export interface StillSpan {
  /** ms, the estimator's clock. */
  start: number;
  /** Absent while the hands are still off. */
  end?: number;
}

export class PauseTracker {
  #pattern: Float32Array | undefined;
  #reference = 0;
  #recent: { t: number; s: number }[] = [];
  #open: StillSpan | undefined;
  #lastResumed: number | undefined;
  /** Still spans, oldest first (the estimator trims what it has reported). */
  spans: StillSpan[] = [];
  /** Observers of each still span that ended (any length; the estimator picks the ≥ 2 s pauses). */
  readonly ended = new Set<(span: Required<StillSpan>) => void>();

  /** A reading found compressions: their pattern and peak-to-peak envelope (luma levels) become the reference. */
  setReference(pattern: Float32Array, envelope: number): void {
    this.#pattern = pattern;
    this.#reference = envelope;
  }

  get hasReference(): boolean {
    return this.#pattern !== undefined;
  }

  /** Whether the hands are off now (a still stretch is open). */
  get still(): StillSpan | undefined {
    return this.#open;
  }

  /** When the hands last went back on after a still span (ms), if they have. */
  get lastResumed(): number | undefined {
    for (let i = this.spans.length - 1; i >= 0; i--) if (this.spans[i]!.end !== undefined) return this.spans[i]!.end;
    return this.#lastResumed;
  }

  /** One frame (mean-removed projection is computed here). */
  push(t: number, luma: ArrayLike<number>): void {
    const pattern = this.#pattern;
    if (!pattern || pattern.length !== luma.length) return;
    this.#recent.push({ t, s: projection(luma, pattern) });
    while (this.#recent.length > 1 && this.#recent[0]!.t < t - ENVELOPE_MS) this.#recent.shift();
    // Not enough history yet to say the hands are still.
    if (this.#recent[this.#recent.length - 1]!.t - this.#recent[0]!.t < ENVELOPE_MS * 0.9) return;
    const envelope = peakToPeak(this.#recent.map((r) => r.s));
    const moving = envelope >= STILL_FRACTION * this.#reference;
    if (!moving && !this.#open) {
      this.#open = { start: this.#recent[0]!.t };
      this.spans.push(this.#open);
    } else if (moving && this.#open) {
      this.#open.end = t;
      const done = this.#open as Required<StillSpan>;
      this.#open = undefined;
      for (const o of [...this.ended]) o(done);
    }
  }

  /** Seconds of still time inside [from, to] ms (an open span counts up to `to`). */
  stillWithin(from: number, to: number): number {
    let ms = 0;
    for (const s of this.spans) ms += Math.max(0, Math.min(to, s.end ?? to) - Math.max(from, s.start));
    return ms / 1000;
  }

  /** Forgets spans that ended before `t` (ms). */
  trim(t: number): void {
    this.#lastResumed = this.lastResumed;
    this.spans = this.spans.filter((s) => s.end === undefined || s.end >= t);
  }
}

/** Projection of the frame, its mean removed, onto `pattern`. */
export function projection(luma: ArrayLike<number>, pattern: Float32Array): number {
  let mean = 0;
  for (let p = 0; p < luma.length; p++) mean += luma[p]!;
  mean /= luma.length;
  let s = 0;
  for (let p = 0; p < luma.length; p++) s += (luma[p]! - mean) * pattern[p]!;
  return s;
}

export function peakToPeak(values: readonly number[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return values.length ? hi - lo : 0;
}
