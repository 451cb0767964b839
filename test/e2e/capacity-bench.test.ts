import { describe, expect, it } from 'vitest';
import { installWorkerBinary } from '../../server/src/sfu/workerBinary.js';

/**
 * The building blocks of `npm run bench:capacity` with N = 2 and a small clip, so the bench cannot rot
 * unseen: the load generator's SRTP streams go through Sightline's room layer and through bare
 * mediasoup, and every console and viewer stand-in receives packets. Figures are not checked.
 */
describe('capacity bench (smoke)', () => {
  it('carries 2 encrypted sessions on each side, and every receiver gets packets', async () => {
    installWorkerBinary();
    const { LoadGenerator, makeClip } = await import('../bench/capacity/LoadGenerator.js');
    const { runStep } = await import('../bench/capacity/step.js');
    const clip = await makeClip({ width: 320, height: 240, fps: 15, kbps: 300, seconds: 4 });
    const load = await LoadGenerator.start(clip, 1);
    try {
      for (const side of ['sightline', 'bare'] as const) {
        // A key frame every 2 s: consumers forward from the first one they see.
        const r = await runStep(load, { side, sessions: 2, workers: 1, warmupSec: 3, measureSec: 2 });
        expect(r.silentReceivers, side).toBe(0);
        expect(r.packetsSent, side).toBeGreaterThan(0);
        expect(r.packetsReceived, side).toBeGreaterThan(0);
      }
    } finally {
      await load.close();
    }
  }, 60_000);
});
