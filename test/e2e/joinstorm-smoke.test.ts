import { describe, expect, it } from 'vitest';
import { oneNode, runStorm, twoNodes } from '../bench/joinstorm/storm.js';

/**
 * The join-storm benchmark's building blocks (test/bench/joinstorm/), at a handful of sessions so
 * they cannot rot unnoticed: every caller's producer and every console's consumer is answered, on
 * one node and across two (a caller on the node that does not own its session). No timing asserted.
 */
describe('join storm, small', () => {
  it('gets every session of a small burst through on one node', async () => {
    const topo = await oneNode(2);
    try {
      const r = await runStorm(topo, 'burst', [0, 0, 0], { dispatchers: 2, warmUp: 1 });
      expect(r.sessions.map((s) => s.failure)).toEqual([undefined, undefined, undefined]);
      expect(r.sessions.every((s) => s.joinMs! > 0 && s.consoleMs! > 0)).toBe(true);
    } finally {
      await topo.stop();
    }
  });

  it('gets every session through on two nodes, callers on the owner and on the other node', async () => {
    const topo = await twoNodes(2);
    try {
      const r = await runStorm(topo, 'burst', [0, 0, 0, 0], { dispatchers: 2, warmUp: 1 });
      expect(r.sessions.map((s) => s.failure)).toEqual([undefined, undefined, undefined, undefined]);
      expect(r.sessions.filter((s) => s.callerCrossNode)).toHaveLength(2);
      expect(r.sessions.every((s) => s.consoleMs! > 0)).toBe(true);
    } finally {
      await topo.stop();
    }
  });
});
