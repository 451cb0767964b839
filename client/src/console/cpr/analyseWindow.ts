import { dominantPeriod, periodogramPeak, RATE_RANGE, resample } from './periodicity.js';

/**
 * One analysis of the CPR coach (issue #15 §2): is the motion in these frames clearly periodic, and
 * at what rate? "A wrong number is worse than none": every gate below must pass for a rate.
 *
 * Method. Each frame is a small luma image (e.g. 32×24). Per frame its mean is removed (a light
 * that changes the whole picture is not motion), then per pixel its straight-line trend over the
 * window (slow drift: auto-exposure, clouds). The dominant motion is the first principal component
 * of what is left (power iteration): the pixels that change together, whichever way the compressions
 * run in the picture, weighted by how much they change. Its time course is resampled at 30 Hz and
 * searched for a period (periodicity.ts).
 */

/** A small grayscale frame and when it was captured (ms, any monotonic clock). */
export interface LumaFrame {
  t: number;
  luma: ArrayLike<number>;
}

/** Why there is no rate: the quality gate that failed. */
export type NoReadingReason = 'too_short' | 'too_still' | 'not_periodic' | 'inconsistent';

export interface WindowAnalysis {
  /** Compressions per minute (unrounded), or null: no reading. */
  rate: number | null;
  reason: NoReadingReason | 'ok';
  /** Normalised autocorrelation at the period (0 when none was found). */
  strength: number;
  /** RMS of the motion component, luma levels (0–255 scale). */
  motionRms: number;
  /** The motion's spatial pattern (unit vector over pixels): pause detection projects frames onto it. */
  pattern?: Float32Array;
}

/**
 * The quality gate's thresholds. Tuned on the synthetic set (docs/benchmarks.md) with margin on both
 * sides: a still scene's codec flicker stays well under MIN_RMS, a block at 100–120 /min under noise
 * scores STRENGTH ≥ 0.8; pure noise peaks near 0.2.
 */
export const GATE = {
  /** At least this much signal, ms: four seconds hold ≥ 2.6 cycles at the slowest rate. */
  minSpanMs: 4000,
  /** Mean frame rate at least this (Hz): below it the motion is undersampled. */
  minFps: 8,
  /** Motion component RMS at least this (luma levels): below it the picture is still. */
  minRms: 4,
  /** Autocorrelation at the period at least this over the whole window. */
  minStrength: 0.6,
  /** Each half of the window at least this at the same period … */
  minHalfStrength: 0.4,
  /** … and its own rate within this fraction of the whole window's. */
  maxHalfDeviation: 0.06,
} as const;

const FS = 30;
const POWER_ITERATIONS = 8;

/** The rate in `frames` (ascending time, all the same size), through every gate. */
export function analyseWindow(frames: readonly LumaFrame[]): WindowAnalysis {
  const none = (reason: NoReadingReason, strength = 0, motionRms = 0): WindowAnalysis => ({ rate: null, reason, strength, motionRms });
  const n = frames.length;
  const span = n > 1 ? frames[n - 1]!.t - frames[0]!.t : 0;
  if (span < GATE.minSpanMs || (n - 1) / (span / 1000) < GATE.minFps) return none('too_short');
  const { times, x, pixels } = detrended(frames);
  const { pattern, course } = principalComponent(x, n, pixels);
  let ss = 0;
  for (const v of course) ss += v * v;
  const motionRms = Math.sqrt(ss / n);
  if (motionRms < GATE.minRms) return none('too_still', 0, motionRms);
  const y = resample(times, course, FS);
  const whole = dominantPeriod(y, FS);
  if (!whole || whole.strength < GATE.minStrength) return none('not_periodic', whole?.strength ?? 0, motionRms);
  const rate = periodogramPeak(y, FS, Math.max(RATE_RANGE.min, whole.rate * 0.92), Math.min(RATE_RANGE.max, whole.rate * 1.08));
  const half = Math.floor(y.length / 2);
  for (const part of [y.subarray(0, half), y.subarray(half)]) {
    const p = dominantPeriod(part, FS);
    if (!p || p.strength < GATE.minHalfStrength || Math.abs(p.rate - rate) / rate > GATE.maxHalfDeviation) {
      return none('inconsistent', whole.strength, motionRms);
    }
  }
  return { rate, reason: 'ok', strength: whole.strength, motionRms, pattern };
}

/** Frames as a time × pixel matrix, each frame's mean and each pixel's linear trend removed. */
function detrended(frames: readonly LumaFrame[]): { times: Float64Array; x: Float32Array; pixels: number } {
  const n = frames.length;
  const pixels = frames[0]!.luma.length;
  const times = Float64Array.from(frames, (f) => f.t);
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < n; i++) {
    const luma = frames[i]!.luma;
    let mean = 0;
    for (let p = 0; p < pixels; p++) mean += luma[p]!;
    mean /= pixels;
    for (let p = 0; p < pixels; p++) x[i * pixels + p] = luma[p]! - mean;
  }
  let tMean = 0;
  for (const t of times) tMean += t;
  tMean /= n;
  let tt = 0;
  for (const t of times) tt += (t - tMean) ** 2;
  for (let p = 0; p < pixels; p++) {
    let mean = 0;
    let slope = 0;
    for (let i = 0; i < n; i++) {
      mean += x[i * pixels + p]!;
      slope += (times[i]! - tMean) * x[i * pixels + p]!;
    }
    mean /= n;
    slope = tt > 0 ? slope / tt : 0;
    for (let i = 0; i < n; i++) x[i * pixels + p]! -= mean + slope * (times[i]! - tMean);
  }
  return { times, x, pixels };
}

/**
 * First principal component of the n × pixels matrix `x` by power iteration on xᵀx: `pattern` is
 * the unit spatial vector, `course` the frames' projections onto it (luma levels).
 */
function principalComponent(x: Float32Array, n: number, pixels: number): { pattern: Float32Array; course: Float64Array } {
  // Start from each pixel's variance: the moving pixels, so few iterations converge.
  let v = new Float32Array(pixels);
  for (let i = 0; i < n; i++) for (let p = 0; p < pixels; p++) v[p]! += x[i * pixels + p]! ** 2;
  normalise(v);
  const course = new Float64Array(n);
  for (let it = 0; it < POWER_ITERATIONS; it++) {
    project(x, n, pixels, v, course);
    const next = new Float32Array(pixels);
    for (let i = 0; i < n; i++) {
      const c = course[i]!;
      for (let p = 0; p < pixels; p++) next[p]! += c * x[i * pixels + p]!;
    }
    if (!normalise(next)) break;
    v = next;
  }
  project(x, n, pixels, v, course);
  return { pattern: v, course };
}

function project(x: Float32Array, n: number, pixels: number, v: Float32Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = 0; p < pixels; p++) s += x[i * pixels + p]! * v[p]!;
    out[i] = s;
  }
}

function normalise(v: Float32Array): boolean {
  let s = 0;
  for (const a of v) s += a * a;
  if (s === 0) return false;
  const k = 1 / Math.sqrt(s);
  for (let p = 0; p < v.length; p++) v[p]! *= k;
  return true;
}
