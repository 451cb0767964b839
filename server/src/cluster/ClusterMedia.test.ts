import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../errors.js';
import type { RoomRegistry } from '../sfu/RoomRegistry.js';
import { MemoryStore } from '../store/MemoryStore.js';
import type { SessionRecord } from '../store/Store.js';
import { testLogger } from '../testing/logger.js';
import { ClusterMedia } from './ClusterMedia.js';
import { MEDIA_OPS, type LocalMedia } from './MediaOps.js';
import { NodeGoneError, type NodeBus } from './NodeBus.js';
import { NodeRegistry } from './NodeRegistry.js';

const session: SessionRecord = {
  id: 's-1',
  status: 'live',
  phone: '+4791234567',
  language: 'en',
  dispatcher: 'd',
  createdAt: new Date().toISOString(),
  inviteCode: 'c',
  mediaNode: 'n-owner',
};

/**
 * `n-me` judges on a fake clock; `n-owner` carries the session and keeps renewing its heartbeat
 * (so the heartbeat rule never calls it lost), while its node bus answers as `answer` says.
 */
async function setup(answer: 'deaf' | 'bus down' | 'ok') {
  let t = 0;
  const store = new MemoryStore();
  await store.insertSession({ ...session });
  const registry = new NodeRegistry(store, { nodeId: 'n-me', load: () => ({ load: 0, rooms: 0 }), now: () => t }, testLogger);
  const calls: string[] = [];
  const bus = {
    call: async (node: string, op: string) => {
      calls.push(`${node}:${op}`);
      if (answer === 'deaf') throw new NodeGoneError(node);
      if (answer === 'bus down') throw new UnavailableError('cluster bus unavailable');
      return 'remote';
    },
  } as unknown as NodeBus;
  const local = Object.fromEntries(MEDIA_OPS.map((op) => [op, async () => 'local'])) as unknown as LocalMedia;
  const rooms = { sessionIds: () => [], closePeersWhere: () => {}, close: async () => {} } as unknown as RoomRegistry;
  const takeovers: string[] = [];
  const media = new ClusterMedia({ store, registry, local, rooms, bus, maxSessionMs: 3_600_000, log: testLogger });
  media.onTakeover(async (id, from) => void takeovers.push(`${id} from ${from}`));
  /** `seconds` heartbeats of unbroken store access, the owner renewing before each. */
  const seconds = async (n: number) => {
    for (let i = 0; i < n; i++) {
      t += 1000;
      await store.putNode({ id: 'n-owner', load: 0, rooms: 0, at: '' }, 60_000);
      await registry.tick();
    }
  };
  const owner = async () => (await store.getSession(session.id))?.mediaNode;
  return { media, registry, seconds, calls, takeovers, owner, store };
}

describe('ClusterMedia', () => {
  it("does not take a session from a silent owner before this node's Redis access has been unbroken for the rejoin time", async () => {
    const c = await setup('deaf');
    // As right after a Redis restart: the owner may still be re-subscribing its node bus.
    await c.seconds(3);
    const err = await c.media.run(session, 'isRecording', session.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).not.toBeInstanceOf(NodeGoneError);
    expect(c.calls).toEqual(['n-owner:isRecording', 'n-owner:isRecording']);
    expect(await c.owner()).toBe('n-owner');
    expect(c.takeovers).toEqual([]);
  });

  it('takes a session from an owner whose node bus stays silent once this node has been steady, without waiting for its heartbeat', async () => {
    const c = await setup('deaf');
    await c.seconds(7);
    expect(c.registry.isSteady()).toBe(true);
    expect(c.registry.isLive('n-owner')).toBe(true);
    expect(await c.media.run(session, 'isRecording', session.id)).toBe('local');
    expect(c.calls).toEqual(['n-owner:isRecording', 'n-owner:isRecording']);
    expect(await c.owner()).toBe('n-me');
    expect(c.takeovers).toEqual(['s-1 from n-owner']);
  });

  it('never takes a session over because the bus itself failed, nor from an owner that answers', async () => {
    const down = await setup('bus down');
    await down.seconds(7);
    await expect(down.media.run(session, 'isRecording', session.id)).rejects.toThrow('cluster bus unavailable');
    expect(await down.owner()).toBe('n-owner');
    const ok = await setup('ok');
    await ok.seconds(7);
    expect(await ok.media.run(session, 'isRecording', session.id)).toBe('remote');
    expect(await ok.owner()).toBe('n-owner');
    expect([...down.takeovers, ...ok.takeovers]).toEqual([]);
  });

  it('runs every takeover listener in turn before the operation, a throwing one logged and skipped (issue #13)', async () => {
    const c = await setup('deaf');
    const heard: string[] = [];
    c.media.onTakeover(async () => {
      await new Promise((r) => setTimeout(r, 20));
      heard.push('slow first');
    });
    c.media.onTakeover(() => {
      throw new Error('broken listener');
    });
    const off = c.media.onTakeover(() => void heard.push('unsubscribed'));
    c.media.onTakeover(() => void heard.push('last'));
    off();
    await c.seconds(7);
    const answer = await c.media.run(session, 'isRecording', session.id).then((a) => (heard.push('operation'), a));
    expect(answer).toBe('local');
    expect(c.takeovers).toEqual(['s-1 from n-owner']);
    expect(heard).toEqual(['slow first', 'last', 'operation']);
  });

  it("ends this node's stretch of store access when its look at the store after a heartbeat fails, as a failed heartbeat does", async () => {
    const c = await setup('ok');
    await c.seconds(7);
    expect(c.registry.isSteady()).toBe(true);
    // The heartbeat itself goes through; the sessions listing after it (every fifth heartbeat) fails.
    c.store.listSessions = async () => {
      throw new Error('connection refused');
    };
    await c.seconds(5);
    expect(c.registry.isSteady()).toBe(false);
  });
});
