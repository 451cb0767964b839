import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../store/RedisStore.js';
import { startRedisServer, type RedisServer } from '../testing/redisServer.js';
import { MemorySocketSlots, RedisSocketSlots, type SocketSlots } from './SocketSlots.js';

let redis: RedisServer;
let store: RedisStore;
beforeAll(async () => {
  redis = await startRedisServer();
  store = await RedisStore.connect(redis.url);
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

describe.each(['memory', 'redis'] as const)('SocketSlots (%s): sockets per token, issue #11 item 2', (kind) => {
  const make = (ttlMs?: number): SocketSlots => (kind === 'redis' ? new RedisSocketSlots(store.client, ttlMs) : new MemorySocketSlots());

  it('holds at most max sockets per key, even when they all ask at once, and frees a slot on release', async () => {
    const slots = make();
    const key = `caller:${kind}-${Date.now()}`;
    const got = await Promise.all(Array.from({ length: 50 }, (_, i) => slots.acquire(key, `s${i}`, 3)));
    expect(got.filter(Boolean)).toHaveLength(3);
    expect(await slots.acquire('viewer:other', 'x', 3)).toBe(true);
    const holder = got.findIndex(Boolean);
    await slots.release(key, `s${holder}`);
    expect(await slots.acquire(key, 'late', 3)).toBe(true);
    expect(await slots.acquire(key, 'later', 3)).toBe(false);
    slots.close();
  });
});

describe('RedisSocketSlots: across nodes', () => {
  it('is shared by nodes, and the slots of a node that died expire', async () => {
    const key = `caller:shared-${Date.now()}`;
    const nodeA = new RedisSocketSlots(store.client, 300);
    const nodeB = new RedisSocketSlots(store.client, 300);
    expect(await nodeA.acquire(key, 'a1', 2)).toBe(true);
    expect(await nodeB.acquire(key, 'b1', 2)).toBe(true);
    expect(await nodeB.acquire(key, 'b2', 2)).toBe(false);
    // Node A dies (stops renewing); B keeps renewing its own.
    nodeA.close();
    await new Promise((r) => setTimeout(r, 500));
    expect(await nodeB.acquire(key, 'b2', 2)).toBe(true);
    expect(await nodeB.acquire(key, 'b3', 2)).toBe(false);
    nodeB.close();
  });
});
