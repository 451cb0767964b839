import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { RateLimitedError } from '../errors.js';
import { startRedisServer, type RedisServer } from '../testing/redisServer.js';
import { createLimit } from './limits.js';

let redis: RedisServer;
let client: ReturnType<typeof createClient>;
beforeAll(async () => {
  redis = await startRedisServer();
  client = createClient({ url: redis.url });
  await client.connect();
});
afterAll(async () => {
  await client?.close();
  await redis?.stop();
});

describe.each(['memory', 'redis'] as const)('Limit (%s)', (kind) => {
  const make = (points: number) => createLimit(`t-${kind}-${Date.now()}-${Math.random()}`, { points, durationSec: 60 }, kind === 'redis' ? client : undefined);

  it('spends points and then refuses with the wait', async () => {
    const limit = make(3);
    for (let i = 0; i < 3; i++) expect((await limit.take('k')).consumed).toBe(i + 1);
    const err = await limit.take('k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(50);
    expect(await limit.spend('k')).toMatchObject({ allowed: false, consumed: 5 });
    await limit.take('other');
    await limit.reset('k');
    await limit.take('k');
  });

  it('lets exactly its points through a concurrent burst (one atomic step each), and a refund frees one', async () => {
    const limit = make(5);
    const uses = await Promise.all(Array.from({ length: 60 }, () => limit.spend('burst')));
    expect(uses.filter((u) => u.allowed)).toHaveLength(5);
    // Each spending saw its own count: the one that found it at points + 1 is exactly one.
    expect(uses.filter((u) => u.consumed === 6)).toHaveLength(1);
    await limit.reset('burst');
    for (let i = 0; i < 5; i++) await limit.take('burst');
    await limit.refund('burst');
    await limit.take('burst');
    await expect(limit.take('burst')).rejects.toBeInstanceOf(RateLimitedError);
  });
});
