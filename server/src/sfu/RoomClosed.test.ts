import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../testing/logger.js';
import { freePortRange } from '../testing/ports.js';
import type { Room, RoomClosedReason } from './Room.js';
import { RoomRegistry } from './RoomRegistry.js';
import { WorkerPool } from './WorkerPool.js';

/**
 * Issue #13: the registry's and the pool's events reach every subscriber (a second one no longer
 * replaces the first), and a room's 'closed' event says why the room closed.
 */
let pool: WorkerPool;

beforeAll(async () => {
  pool = await WorkerPool.start({ workers: 2, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePortRange(2) }, testLogger);
});

afterAll(async () => {
  await pool?.close();
});

const closedReason = (room: Room) => new Promise<RoomClosedReason>((r) => room.once('closed', r));

describe('RoomRegistry and WorkerPool observers, and why a room closed', () => {
  it("hands each new room to every 'room-created' subscriber, in the order they subscribed", async () => {
    const rooms = new RoomRegistry(pool, testLogger);
    const seen: string[] = [];
    rooms.observer.on('room-created', (room) => void seen.push(`signalling ${room.sessionId}`));
    rooms.observer.on('room-created', (room) => void seen.push(`recording ${room.sessionId}`));
    try {
      await rooms.get('s_observed1');
      expect(seen).toEqual(['signalling s_observed1', 'recording s_observed1']);
    } finally {
      await rooms.close('s_observed1');
    }
  });

  it('hands over the room even when a subscriber throws, and the room is usable', async () => {
    const rooms = new RoomRegistry(pool, testLogger);
    const seen: string[] = [];
    rooms.observer.on('room-created', () => {
      throw new Error('subscriber bug');
    });
    rooms.observer.on('room-created', (room) => void seen.push(room.sessionId));
    try {
      const room = await rooms.get('s_observed2');
      expect(seen).toEqual(['s_observed2']);
      expect(room.closed).toBe(false);
    } finally {
      await rooms.close('s_observed2');
    }
  });

  it("says 'closed' when the room was closed through the registry", async () => {
    const rooms = new RoomRegistry(pool, testLogger);
    const room = await rooms.get('s_closed1');
    const reason = closedReason(room);
    await rooms.close('s_closed1');
    expect(await reason).toBe('closed');
  });

  it("says 'worker-died' when its worker dies, and the pool tells every 'worker-replaced' subscriber", async () => {
    const rooms = new RoomRegistry(pool, testLogger);
    const room = await rooms.get('s_died1');
    const replaced: string[] = [];
    const bothTold = new Promise<void>((resolve) => {
      pool.observer.on('worker-replaced', (index) => void replaced.push(`log ${index}`));
      pool.observer.on('worker-replaced', (index) => {
        replaced.push(`metrics ${index}`);
        resolve();
      });
    });
    const reason = closedReason(room);
    process.kill(workerPid(room), 'SIGKILL');
    expect(await reason).toBe('worker-died');
    await bothTold;
    expect(replaced).toEqual([`log ${room.workerIndex}`, `metrics ${room.workerIndex}`]);
    expect(rooms.peek('s_died1')).toBeUndefined();
  });

  it("says 'worker-closed' when the pool shuts down under it", async () => {
    const own = await WorkerPool.start({ workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePortRange(1) }, testLogger);
    const rooms = new RoomRegistry(own, testLogger);
    const room = await rooms.get('s_shutdown1');
    const reason = closedReason(room);
    await own.close();
    expect(await reason).toBe('worker-closed');
  });
});

/** The pid of the worker under the room's main router: the one slot left when every other is taken. */
function workerPid(room: Room): number {
  const others = new Set(
    pool
      .load()
      .map((_, i) => i)
      .filter((i) => i !== room.workerIndex),
  );
  return pool.pickExcept(others)!.worker.pid;
}
