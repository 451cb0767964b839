import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../testing/ports.js';
import { testLogger } from '../testing/logger.js';
import { RoomRegistry } from './RoomRegistry.js';
import { WorkerPool } from './WorkerPool.js';

let pool: WorkerPool;

beforeAll(async () => {
  pool = await WorkerPool.start({ workers: 2, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePortRange(2) }, testLogger);
});

afterAll(async () => {
  await pool?.close();
});

describe('RoomRegistry placing rooms on workers', () => {
  // The capacity bench found every room of a burst of joins on one worker: pick() compared router
  // counts that grew only once each router was made.
  it('spreads rooms created at the same moment evenly over the workers', async () => {
    const rooms = new RoomRegistry(pool, testLogger);
    const ids = Array.from({ length: 6 }, (_, i) => `s_spread${i}`);
    try {
      await Promise.all(ids.map((id) => rooms.get(id)));
      expect(pool.load()).toEqual([3, 3]);
    } finally {
      await Promise.all(ids.map((id) => rooms.close(id)));
    }
    expect(pool.load()).toEqual([0, 0]);
  });

  it('spreads rooms created one after another too', async () => {
    const rooms = new RoomRegistry(pool, testLogger);
    const ids = Array.from({ length: 4 }, (_, i) => `s_serial${i}`);
    try {
      for (const id of ids) await rooms.get(id);
      expect(pool.load()).toEqual([2, 2]);
    } finally {
      await Promise.all(ids.map((id) => rooms.close(id)));
    }
  });
});
