import { describe, expect, it } from 'vitest';
import type { CprWindowReport } from './CprEstimator.js';
import { CprMeasurement } from './CprMeasurement.js';

/** Where there is no Worker (here: Node), the same estimator runs on the page's thread, with the same reports. */
describe('CprMeasurement without workers', () => {
  it('measures on this thread, and reports the window so far before stop resolves', async () => {
    expect(typeof (globalThis as { Worker?: unknown }).Worker).toBe('undefined');
    const m = new CprMeasurement({ windowSeconds: 10, pauseMinSeconds: 2 });
    expect(m.inWorker).toBe(false);
    const windows: CprWindowReport[] = [];
    m.windows.add((w) => windows.push(w));
    for (let i = 0; i < 13 * 30; i++) m.push({ t: (i * 1000) / 30, luma: new Uint8Array(768) });
    await m.stop(13_000);
    expect(windows.map((w) => [w.seconds, w.quality])).toEqual([
      [10, 'none'],
      [3, 'none'],
    ]);
  });
});
