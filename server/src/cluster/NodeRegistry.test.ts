import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { MemoryStore } from '../store/MemoryStore.js';
import { testLogger } from '../testing/logger.js';
import { NodeRegistry } from './NodeRegistry.js';

const at = new Date().toISOString();

describe('NodeRegistry', () => {
  it('places on the least-loaded live node, ties to fewer rooms then the lower id', async () => {
    const store = new MemoryStore();
    const me = new NodeRegistry(store, { nodeId: 'n-b', load: () => ({ load: 4, rooms: 2 }) }, testLogger);
    await store.putNode({ id: 'n-a', load: 4, rooms: 3, at }, 10_000);
    await store.putNode({ id: 'n-c', load: 4, rooms: 2, at }, 10_000);
    await me.tick();
    expect(me.pick()).toBe('n-b');
    await store.putNode({ id: 'n-a', load: 1, rooms: 3, at }, 10_000);
    await me.tick();
    expect(me.pick()).toBe('n-a');
  });

  it('declares a node lost only after it misses two listings in a row', async () => {
    // The store's clock moves only when the test moves it: a 50 ms TTL must not lapse early
    // because other files keep the machine busy.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => void vi.useRealTimers());
    const store = new MemoryStore();
    const me = new NodeRegistry(store, { nodeId: 'n-me', load: () => ({ load: 0, rooms: 0 }) }, testLogger);
    const lost: string[][] = [];
    me.onTick = async (_live, gone) => void lost.push(gone);
    await store.putNode({ id: 'n-other', load: 0, rooms: 0, at }, 50);
    await me.tick();
    expect(me.isLive('n-other')).toBe(true);
    vi.setSystemTime(Date.now() + 80);
    await me.tick();
    expect(me.isLive('n-other')).toBe(true);
    expect(me.pick()).toBe('n-me');
    await me.tick();
    expect(me.isLive('n-other')).toBe(false);
    expect(lost).toEqual([[], [], ['n-other']]);
  });

  it('leaves the cluster on shutdown, so the others count it out without waiting for its heartbeat to lapse', async () => {
    const store = new MemoryStore();
    const leaving = new NodeRegistry(store, { nodeId: 'n-leaving', load: () => ({ load: 0, rooms: 0 }) }, testLogger);
    await leaving.start();
    expect((await store.listNodes()).map((n) => n.id)).toEqual(['n-leaving']);
    await leaving.leave();
    expect(await store.listNodes()).toEqual([]);
  });
});
