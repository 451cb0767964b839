import { CPR_PAUSE_MIN_SECONDS, CPR_RATE_RANGE, CPR_WINDOW_SECONDS } from '@sightline/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CprEstimator, type CprPauseReport, type CprReading, type CprWindowReport } from './CprEstimator.js';
import { RATE_RANGE } from './periodicity.js';

const RULES = { windowSeconds: CPR_WINDOW_SECONDS, pauseMinSeconds: CPR_PAUSE_MIN_SECONDS };

/**
 * The CPR coach's estimator on frame series made here (no browser, no ffmpeg): a bright block on a
 * 32×24 picture moving up and down at a known rate (sub-pixel, so every rate is exact), with noise
 * and a lighting drift. The ffmpeg-made set and its figures: test/bench/cpr.ts, docs/benchmarks.md.
 */
const W = 32;
const H = 24;
const FPS = 30;

interface Scene {
  /** Block's vertical offset (pixels) at time t (s); NaN: no block. */
  offset: (t: number) => number;
  noise: number;
  seed: number;
}

function frameAt(scene: Scene, t: number, rand: () => number): Uint8Array {
  const luma = new Uint8Array(W * H);
  const light = 20 * Math.sin((2 * Math.PI * t) / 13);
  const top = 8 + scene.offset(t);
  for (let y = 0; y < H; y++) {
    // Coverage of this row by the block [top, top + 5): anti-aliased edges.
    const cover = Number.isNaN(top) ? 0 : Math.max(0, Math.min(y + 1, top + 5) - Math.max(y, top));
    for (let x = 0; x < W; x++) {
      const block = x >= 12 && x < 19 ? cover : 0;
      luma[y * W + x] = Math.max(0, Math.min(255, 50 + light + 150 * block + scene.noise * (rand() * 2 - 1)));
    }
  }
  return luma;
}

interface Played {
  readings: CprReading[];
  windows: CprWindowReport[];
  pauses: CprPauseReport[];
}

function play(scene: Scene, seconds: number, stopAt?: number): Played {
  const e = new CprEstimator(RULES);
  const out: Played = { readings: [], windows: [], pauses: [] };
  e.readings.add((r) => out.readings.push(r));
  e.windows.add((w) => out.windows.push(w));
  e.pauses.add((p) => out.pauses.push(p));
  let s = scene.seed >>> 0 || 1;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  for (let i = 0; i < seconds * FPS; i++) {
    const t = i / FPS + (rand() - 0.5) * 0.012;
    e.push({ t: t * 1000, luma: frameAt(scene, t, rand) });
  }
  if (stopAt !== undefined) e.stop(stopAt * 1000);
  return out;
}

const compressions =
  (rate: number, amplitude = 3) =>
  (t: number) =>
    amplitude * Math.sin((2 * Math.PI * rate * t) / 60);

describe('the CPR rate estimator', () => {
  it('reads the rate within ±3 /min within 10 s, for any rate in 60–180 /min', () => {
    fc.assert(
      fc.property(fc.double({ min: 60, max: 180, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), (rate, seed) => {
        const { readings, windows } = play({ offset: compressions(rate), noise: 12, seed }, 20.5);
        const withRate = readings.filter((r) => r.at <= 10_000 && r.rate !== null);
        expect(withRate.length, 'a reading by 10 s').toBeGreaterThan(0);
        for (const r of readings) if (r.rate !== null) expect(Math.abs(r.rate - rate)).toBeLessThanOrEqual(3);
        expect(windows.map((w) => w.quality)).toEqual(['ok', 'ok']);
        for (const w of windows) expect(w.handsOffSeconds).toBe(0);
      }),
      { numRuns: 8 },
    );
  });

  it('gives no reading for noise, a still scene and aimless movement in ≥ 95 % of readings', () => {
    let readings = 0;
    let withRate = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.constantFrom('noise', 'still', 'wander'), (seed, kind) => {
        // Aimless: the block drifts by a sum of incommensurate slow waves (someone adjusting the phone).
        const wander = (t: number) => 3 * Math.sin(0.7 * t + seed) + 2 * Math.sin(1.9 * t + 2 * seed);
        const offset = kind === 'noise' ? () => NaN : kind === 'still' ? () => 0 : wander;
        const played = play({ offset, noise: kind === 'noise' ? 80 : 12, seed }, 20);
        readings += played.readings.length;
        withRate += played.readings.filter((r) => r.rate !== null).length;
        expect(played.pauses, 'no pause without compressions first').toEqual([]);
      }),
      { numRuns: 12 },
    );
    expect(withRate / readings).toBeLessThanOrEqual(0.05);
  });

  it('flags a pause of 2–6 s with its length within ±0.5 s, and counts it as hands-off', () => {
    fc.assert(
      fc.property(fc.double({ min: 2.2, max: 6, noNaN: true }), fc.constantFrom(100, 110, 120), fc.integer({ min: 1, max: 1e6 }), (pause, rate, seed) => {
        const at = 8;
        const beat = compressions(rate);
        const offset = (t: number) => (t < at ? beat(t) : t < at + pause ? beat(at) : beat(t - pause));
        const { pauses, windows } = play({ offset, noise: 12, seed }, 20.5);
        expect(pauses).toHaveLength(1);
        expect(Math.abs(pauses[0]!.seconds - pause)).toBeLessThanOrEqual(0.5);
        expect(Math.abs(pauses[0]!.start / 1000 - at)).toBeLessThanOrEqual(0.5);
        const handsOff = windows.reduce((sum, w) => sum + w.handsOffSeconds, 0);
        expect(Math.abs(handsOff - pauses[0]!.seconds), 'each window rounds to 0.1 s').toBeLessThanOrEqual(0.15);
      }),
      { numRuns: 8 },
    );
  });

  it('shows paused while the hands are off, and no rate then', () => {
    const beat = compressions(110);
    const { readings } = play({ offset: (t) => (t < 8 ? beat(t) : beat(8)), noise: 12, seed: 7 }, 15);
    const late = readings.filter((r) => r.at >= 10_000);
    expect(late.map((r) => r.reason)).toEqual(late.map(() => 'paused'));
    expect(late.every((r) => r.rate === null && (r.pausedFor ?? 0) >= 1.5)).toBe(true);
  });

  it('on stop reports the window so far and the pause still open', () => {
    const beat = compressions(110);
    const { windows, pauses } = play({ offset: (t) => (t < 8 ? beat(t) : beat(8)), noise: 12, seed: 3 }, 14, 14);
    expect(windows.map((w) => w.seconds)).toEqual([10, expect.closeTo(4, 0)]);
    expect(pauses).toHaveLength(1);
    expect(Math.abs(pauses[0]!.seconds - 6)).toBeLessThanOrEqual(0.5);
  });

  it('searches exactly the rates the server takes (shared CPR_RATE_RANGE)', () => {
    expect(RATE_RANGE).toEqual(CPR_RATE_RANGE);
  });

  it('survives an observer that throws', () => {
    const e = new CprEstimator(RULES);
    const seen: CprReading[] = [];
    e.readings.add(() => {
      throw new Error('broken observer');
    });
    e.readings.add((r) => seen.push(r));
    for (let i = 0; i < 90; i++) e.push({ t: (i * 1000) / FPS, luma: new Uint8Array(W * H) });
    expect(seen).toHaveLength(1);
  });
});
