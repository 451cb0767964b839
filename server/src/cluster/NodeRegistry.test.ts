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

  /**
   * A fake cluster on one fake clock: `me` judges, `other` renews its heartbeat when told; the
   * store can be taken down (every call throws, as an unreachable Redis does for `me`).
   */
  function cluster(opts: { missMs?: number; rejoinMs?: number } = {}) {
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => void vi.useRealTimers());
    const inner = new MemoryStore();
    let down = false;
    let delayMs = 0;
    let t = 0;
    const advance = (ms: number) => {
      t += ms;
      vi.setSystemTime(Date.now() + ms);
    };
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function' || (prop !== 'putNode' && prop !== 'listNodes')) return typeof v === 'function' ? v.bind(target) : v;
        return async (...args: unknown[]) => {
          if (down) throw new Error('connection refused');
          if (delayMs) advance(delayMs);
          return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
    const me = new NodeRegistry(store, { nodeId: 'n-me', load: () => ({ load: 0, rooms: 0 }), now: () => t, ...opts }, testLogger);
    const lost: string[] = [];
    me.observer.on('tick', (_live, gone) => void lost.push(...gone));
    return {
      me,
      lost,
      advance,
      renewOther: () => inner.putNode({ id: 'n-other', load: 0, rooms: 0, at }, me.ttlMs),
      setDown: (d: boolean) => void (down = d),
      setSlow: (ms: number) => void (delayMs = ms),
      /** One heartbeat of `me` a second after the last, the other renewing first if it is up. */
      async second(otherUp: boolean) {
        advance(1000);
        if (otherUp && !down) await this.renewOther();
        await me.tick();
      },
    };
  }

  it('declares a dead node lost once it has missed two heartbeats of unbroken store access', async () => {
    const c = cluster();
    for (let i = 0; i < 8; i++) await c.second(true);
    expect(c.me.isLive('n-other')).toBe(true);
    // The other dies: its heartbeat lapses after the TTL (4 s: last listed 3 s after its last
    // renewal), then it has to be missing for two more seconds.
    let seconds = 0;
    while (c.lost.length === 0 && seconds < 30) {
      await c.second(false);
      seconds++;
    }
    expect(c.lost).toEqual(['n-other']);
    expect(seconds).toBe(5);
    expect(c.me.isLive('n-other')).toBe(false);
    expect(c.me.pick()).toBe('n-me');
    await c.second(false);
    expect(c.lost).toEqual(['n-other']); // once
  });

  it('never declares a node lost while the store was out of its own reach, nor before the others could come back', async () => {
    const c = cluster();
    for (let i = 0; i < 8; i++) await c.second(true);
    // Redis down for 5 s: nobody can renew; every heartbeat lapses.
    c.setDown(true);
    for (let i = 0; i < 5; i++) await c.second(false);
    expect(c.me.isLive('n-other')).toBe(true);
    c.setDown(false);
    // Redis back: `me` reconnects at once, the other only after its back-off (2.2 s at most with
    // node-redis) plus a heartbeat. The old rule (two listings missed) called it lost here.
    await c.second(false);
    await c.second(false);
    await c.second(false);
    expect(c.me.isLive('n-other')).toBe(true);
    for (let i = 0; i < 10; i++) await c.second(true);
    expect(c.lost).toEqual([]);
    expect(c.me.isLive('n-other')).toBe(true);
  });

  it('judges a node that never comes back after an outage only once the store has been reachable for the rejoin time', async () => {
    const c = cluster();
    for (let i = 0; i < 8; i++) await c.second(true);
    c.setDown(true);
    for (let i = 0; i < 5; i++) await c.second(false);
    c.setDown(false);
    let seconds = 0;
    while (c.lost.length === 0 && seconds < 30) {
      await c.second(false);
      seconds++;
    }
    expect(c.lost).toEqual(['n-other']);
    // The first good heartbeat starts the stretch; 6 s of it (rejoinMs) before judging.
    expect(seconds).toBe(7);
  });

  it('starts the stretch afresh after a reported connection drop, a slow heartbeat or a gap between heartbeats', async () => {
    const breaks: [string, (c: ReturnType<typeof cluster>) => Promise<void>][] = [
      ['connection drop', async (c) => c.me.storeInterrupted()],
      [
        'slow heartbeat',
        async (c) => {
          c.setSlow(1500);
          await c.second(false);
          c.setSlow(0);
        },
      ],
      ['gap between heartbeats', async (c) => c.advance(2500)],
    ];
    for (const [what, interrupt] of breaks) {
      const c = cluster();
      for (let i = 0; i < 8; i++) await c.second(true);
      // The other dies; just before the verdict (4 s on, 5 s would be it) this node loses sight of the store.
      for (let i = 0; i < 4; i++) await c.second(false);
      await interrupt(c);
      for (let i = 0; i < 5; i++) {
        await c.second(false);
        expect(c.lost, `${what}, ${i + 1} s after`).toEqual([]);
        expect(c.me.isLive('n-other'), what).toBe(true);
      }
      // A new stretch of rejoinMs (6 s) without a break, and the verdict comes.
      for (let i = 0; i < 2; i++) await c.second(false);
      expect(c.lost, what).toEqual(['n-other']);
    }
  });

  it('judges nobody lost between heartbeats while its own heartbeat is overdue (a busy event loop or a slow store)', async () => {
    const c = cluster();
    for (let i = 0; i < 8; i++) await c.second(true);
    // The other renews on time, but this node's next heartbeat has not come back for 2.5 s (its
    // event loop or Redis busy with a join storm): it has not looked, so it has seen no absence.
    await c.renewOther();
    c.advance(2500);
    expect(c.me.isLive('n-other')).toBe(true);
    await c.second(true);
    expect(c.me.isLive('n-other')).toBe(true);
    expect(c.lost).toEqual([]);
  });

  it('is steady (a silent node bus may be believed) only after the rejoin time of unbroken store access, up to a recent heartbeat', async () => {
    const c = cluster();
    for (let i = 0; i < 6; i++) {
      await c.second(true);
      expect(c.me.isSteady(), `${i + 1} s after the start`).toBe(false);
    }
    await c.second(true);
    expect(c.me.isSteady()).toBe(true);
    // Redis hung: no error, the heartbeat just does not come back. Two intervals without one is a break.
    c.advance(2100);
    expect(c.me.isSteady(), 'heartbeat overdue').toBe(false);
    await c.me.tick();
    expect(c.me.isSteady(), 'first heartbeat after the hang').toBe(false);
    for (let i = 0; i < 6; i++) await c.second(true);
    expect(c.me.isSteady()).toBe(true);
    // A dropped connection ends it at once, before any heartbeat; so does a store out of reach.
    c.me.storeInterrupted();
    expect(c.me.isSteady(), 'connection dropped').toBe(false);
    c.setDown(true);
    for (let i = 0; i < 3; i++) await c.second(false);
    expect(c.me.isSteady(), 'store down').toBe(false);
    c.setDown(false);
    for (let i = 0; i < 6; i++) {
      await c.second(true);
      expect(c.me.isSteady(), `${i + 1} s after Redis came back`).toBe(false);
    }
    await c.second(true);
    expect(c.me.isSteady()).toBe(true);
  });

  it('counts a node it has never seen as alive until the store has been reachable for the rejoin time', async () => {
    const c = cluster();
    await c.second(false);
    expect(c.me.isLive('n-never-seen')).toBe(true);
    for (let i = 0; i < 5; i++) await c.second(false);
    expect(c.me.isLive('n-never-seen')).toBe(true);
    await c.second(false);
    expect(c.me.isLive('n-never-seen')).toBe(false);
  });

  it('leaves the cluster on shutdown, so the others count it out without waiting for its heartbeat to lapse', async () => {
    const store = new MemoryStore();
    const leaving = new NodeRegistry(store, { nodeId: 'n-leaving', load: () => ({ load: 0, rooms: 0 }) }, testLogger);
    await leaving.start();
    expect((await store.listNodes()).map((n) => n.id)).toEqual(['n-leaving']);
    await leaving.leave();
    expect(await store.listNodes()).toEqual([]);
  });

  it('starts the next heartbeat only once every tick listener is done, and a failing listener fails no heartbeat', async () => {
    const store = new MemoryStore();
    let puts = 0;
    const putNode = store.putNode.bind(store);
    store.putNode = async (...args) => {
      puts++;
      return putNode(...args);
    };
    const me = new NodeRegistry(store, { nodeId: 'n-me', load: () => ({ load: 0, rooms: 0 }) }, testLogger);
    const seen: string[] = [];
    let release = () => {};
    me.observer.on('tick', () => {
      throw new Error('listener bug');
    });
    me.observer.on('tick', async (live) => {
      seen.push(`start ${live.map((n) => n.id).join()}`);
      await new Promise<void>((r) => (release = r));
      seen.push('done');
    });
    const first = me.tick();
    await vi.waitFor(() => expect(seen).toEqual(['start n-me']));
    // A heartbeat asked for meanwhile is the one still running (its listeners included).
    expect(me.tick()).toBe(first);
    expect(puts).toBe(1);
    release();
    await first;
    expect(seen).toEqual(['start n-me', 'done']);
    const second = me.tick();
    expect(second).not.toBe(first);
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    release();
    await second;
    expect(puts).toBe(2);
  });
});
