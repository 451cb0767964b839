import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import { RedisStore } from '../store/RedisStore.js';
import { testLogger } from '../testing/logger.js';
import { startRedisServer, type RedisServer } from '../testing/redisServer.js';
import { NodeBus, NodeGoneError } from './NodeBus.js';

let redis: RedisServer;
let storeA: RedisStore;
let storeB: RedisStore;
beforeAll(async () => {
  redis = await startRedisServer();
  [storeA, storeB] = await Promise.all([RedisStore.connect(redis.url), RedisStore.connect(redis.url)]);
});
afterAll(async () => {
  await Promise.all([storeA?.close(), storeB?.close()]);
  await redis?.stop();
});

describe('NodeBus (real redis-server)', () => {
  it('answers calls between nodes, carries typed errors back, and fails at once for a node that is not there', async () => {
    const a = await NodeBus.start(storeA.client, 'bus-a', async () => null, testLogger);
    const b = await NodeBus.start(
      storeB.client,
      'bus-b',
      async (op, args) => {
        if (op === 'echo') return { args };
        if (op === 'slow') return new Promise(() => {});
        throw new ConflictError('not a send transport');
      },
      testLogger,
      { timeoutMs: 300 },
    );
    try {
      expect(await a.call('bus-b', 'echo', [1, 'x', { y: true }])).toEqual({ args: [1, 'x', { y: true }] });
      await expect(a.call('bus-b', 'boom', [])).rejects.toMatchObject({ code: 'conflict', status: 409, message: 'not a send transport' });
      // "At once" without a stopwatch (files run in parallel): NodeGoneError comes only from
      // PUBLISH counting no listener, the timer gives a plain UnavailableError.
      const gone = a.call('bus-nobody', 'echo', []);
      await expect(gone).rejects.toBeInstanceOf(NodeGoneError);
      await expect(gone).rejects.not.toThrow(/in time/);
      await expect(b.call('bus-a', 'anything', [])).resolves.toBeNull();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('times out a node that listens but does not answer', async () => {
    const quiet = await NodeBus.start(storeB.client, 'bus-quiet', () => new Promise(() => {}), testLogger);
    const caller = await NodeBus.start(storeA.client, 'bus-caller', async () => null, testLogger, { timeoutMs: 300 });
    try {
      await expect(caller.call('bus-quiet', 'join', ['s_1'])).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await Promise.all([quiet.close(), caller.close()]);
    }
  });

  it('listens again after its Redis connection drops (else the others would take its sessions)', async () => {
    const a = await NodeBus.start(storeA.client, 'bus-drop-a', async () => null, testLogger, { timeoutMs: 500 });
    const b = await NodeBus.start(storeB.client, 'bus-drop-b', async () => 'here', testLogger);
    try {
      expect(await a.call('bus-drop-b', 'ping', [])).toBe('here');
      expect(Number(await storeA.client.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']))).toBeGreaterThanOrEqual(2);
      const deadline = Date.now() + 5000;
      let answer: unknown;
      while (Date.now() < deadline && answer !== 'here') {
        answer = await a.call('bus-drop-b', 'ping', []).catch(() => undefined);
        if (answer !== 'here') await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toBe('here');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
