/**
 * Periodicity of one motion signal (the CPR coach, issue #15 §2): normalised autocorrelation for the
 * period, then a fine periodogram search for the rate. Pure numbers, no DOM.
 *
 * Why autocorrelation first: it finds the fundamental of a non-sinusoidal motion (a real compression
 * is not a sine) where a spectral peak can land on a harmonic. Why the periodogram after: the
 * autocorrelation's lag grid at 30 Hz is ±4 /min coarse at 110 /min; a fine frequency search on the
 * Hann-windowed signal is well inside ±1 /min on a clean signal.
 */

/**
 * Rates the coach can report, per minute: outside this no reading (a person cannot compress faster or
 * usefully slower). The same as shared's CPR_RATE_RANGE, which the server enforces (a test checks):
 * the worker's bundle stays free of shared/ and zod.
 */
export const RATE_RANGE = { min: 40, max: 200 } as const;

export interface Periodicity {
  /** Rate in cycles per minute (unrounded). */
  rate: number;
  /** Normalised autocorrelation at the period, −1…1: 1 is perfectly periodic. */
  strength: number;
}

/** Normalised autocorrelation of `y` at integer `lag` (Pearson over the overlap). */
export function autocorrelation(y: ArrayLike<number>, lag: number): number {
  const n = y.length - lag;
  if (n < 2) return 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += y[i]!;
    sb += y[i + lag]!;
  }
  const ma = sa / n;
  const mb = sb / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const a = y[i]! - ma;
    const b = y[i + lag]! - mb;
    ab += a * b;
    aa += a * a;
    bb += b * b;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * The dominant period of `y` (sampled uniformly at `fs` Hz) within RATE_RANGE, or undefined when the
 * autocorrelation has no interior peak there. Among peaks within 90 % of the best, the shortest lag
 * wins: a periodic signal correlates as well at two periods as at one.
 */
export function dominantPeriod(y: ArrayLike<number>, fs: number): Periodicity | undefined {
  const minLag = Math.floor((fs * 60) / RATE_RANGE.max);
  const maxLag = Math.min(Math.ceil((fs * 60) / RATE_RANGE.min), y.length - 2);
  if (maxLag - minLag < 3) return undefined;
  const r: number[] = [];
  for (let k = minLag - 1; k <= maxLag + 1; k++) r.push(autocorrelation(y, k));
  const at = (k: number) => r[k - minLag + 1]!;
  const peaks: number[] = [];
  for (let k = minLag; k <= maxLag; k++) if (at(k) > at(k - 1) && at(k) >= at(k + 1)) peaks.push(k);
  if (peaks.length === 0) return undefined;
  const best = Math.max(...peaks.map(at));
  const k = peaks.find((p) => at(p) >= 0.9 * best)!;
  // Parabolic interpolation of the peak between its neighbours.
  const [a, b, c] = [at(k - 1), at(k), at(k + 1)];
  const denom = a - 2 * b + c;
  const lag = denom < 0 ? k + (0.5 * (a - c)) / denom : k;
  return { rate: (60 * fs) / lag, strength: b };
}

/**
 * The rate (per minute) in [lo, hi] where the Hann-windowed periodogram of `y` peaks, searched in
 * steps of `step` per minute.
 */
export function periodogramPeak(y: ArrayLike<number>, fs: number, lo: number, hi: number, step = 0.1): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = (y[i]! - mean) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  let bestRate = lo;
  let bestPower = -1;
  for (let rate = lo; rate <= hi; rate += step) {
    const omega = (2 * Math.PI * rate) / 60 / fs;
    // e^{iωk} by rotation, not a cos and sin per sample: this loop is most of the analysis' time.
    const c = Math.cos(omega);
    const s = Math.sin(omega);
    let cr = 1;
    let ci = 0;
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      re += w[i]! * cr;
      im += w[i]! * ci;
      const next = cr * c - ci * s;
      ci = cr * s + ci * c;
      cr = next;
    }
    const power = re * re + im * im;
    if (power > bestPower) {
      bestPower = power;
      bestRate = rate;
    }
  }
  return bestRate;
}

/** `values` at times `t` (ms, ascending), linearly resampled at `fs` Hz from the first time to the last. */
export function resample(t: ArrayLike<number>, values: ArrayLike<number>, fs: number): Float64Array {
  const t0 = t[0]!;
  const span = t[t.length - 1]! - t0;
  const out = new Float64Array(Math.floor((span / 1000) * fs) + 1);
  let j = 0;
  for (let i = 0; i < out.length; i++) {
    const at = t0 + (i * 1000) / fs;
    while (j < t.length - 2 && t[j + 1]! < at) j++;
    const dt = t[j + 1]! - t[j]!;
    const f = dt > 0 ? Math.min(1, Math.max(0, (at - t[j]!) / dt)) : 0;
    out[i] = values[j]! + f * (values[j + 1]! - values[j]!);
  }
  return out;
}
