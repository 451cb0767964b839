import { CprEstimator, type CprPauseReport, type CprReading, type CprWindowReport } from '../../client/src/console/cpr/CprEstimator.js';
import { CPR_PAUSE_MIN_SECONDS, CPR_WINDOW_SECONDS } from '@sightline/shared';
import { CLIP_SIZE, CPR_CLIPS, cprClipFrames, type CprClip } from '../support/cprClips.js';

/**
 * The CPR coach's accuracy on the synthetic set, without a browser (issue #15 §2; docs/benchmarks.md):
 * each clip is rendered by ffmpeg at 32×24 and played in a loop for LOOP_SECONDS into the estimator,
 * with frame times jittered as a display's would be. Prints one row per clip; never fails.
 *
 *   npx tsx test/bench/cpr.ts [seconds]
 */
const RULES = { windowSeconds: CPR_WINDOW_SECONDS, pauseMinSeconds: CPR_PAUSE_MIN_SECONDS };
const LOOP_SECONDS = Number(process.argv[2] ?? 120);

export interface ClipFigures {
  clip: CprClip;
  readings: CprReading[];
  windows: CprWindowReport[];
  pauses: CprPauseReport[];
  msPerFrame: number;
}

/** Plays `clip` (looped) into a fresh estimator; `jitterMs`: uniform jitter of each frame's time. */
export async function playClip(clip: CprClip, seconds: number, jitterMs = 8, seed = 1): Promise<ClipFigures> {
  const frames = await cprClipFrames(clip);
  const estimator = new CprEstimator(RULES);
  const out: ClipFigures = { clip, readings: [], windows: [], pauses: [], msPerFrame: 0 };
  estimator.readings.add((r) => out.readings.push(r));
  estimator.windows.add((w) => out.windows.push(w));
  estimator.pauses.add((p) => out.pauses.push(p));
  let random = seed;
  const rand = () => ((random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const count = seconds * CLIP_SIZE.fps;
  const started = performance.now();
  for (let i = 0; i < count; i++) estimator.push({ t: (i * 1000) / CLIP_SIZE.fps + rand() * jitterMs, luma: frames[i % frames.length]! });
  out.msPerFrame = (performance.now() - started) / count;
  return out;
}

/** Summary figures of one played clip. */
export function figures(f: ClipFigures) {
  const rates = f.windows.flatMap((w) => (w.rate === null ? [] : [w.rate]));
  const readingRates = f.readings.flatMap((r) => (r.rate === null ? [] : [r.rate]));
  const truth = f.clip.rate;
  const sorted = [...readingRates].sort((a, b) => a - b);
  const paused = f.clip.pause;
  return {
    clip: f.clip.name,
    truth: truth ?? 'none',
    medianReading: sorted.length ? sorted[sorted.length >> 1]! : 'none',
    maxError: truth === null || readingRates.length === 0 ? '-' : Math.max(...readingRates.map((r) => Math.abs(r - truth))),
    readingsWithRate: `${readingRates.length}/${f.readings.length}`,
    windowsWithRate: `${rates.length}/${f.windows.length}`,
    pauses: f.pauses.length,
    maxPauseError: paused && f.pauses.length ? Math.max(...f.pauses.map((p) => Math.abs(p.seconds - paused.seconds))).toFixed(2) : '-',
    msPerFrame: f.msPerFrame.toFixed(3),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = [];
  for (const clip of CPR_CLIPS) rows.push(figures(await playClip(clip, LOOP_SECONDS)));
  console.table(rows);
}
