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
  it('spends points and then refuses with the wait', async () => {
    const limit = createLimit(`t-${kind}-${Date.now()}`, { points: 3, durationSec: 60 }, kind === 'redis' ? client : undefined);
    for (let i = 0; i < 3; i++) await limit.take('k');
    const err = await limit.take('k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(50);
    await expect(limit.check('k')).rejects.toBeInstanceOf(RateLimitedError);
    await limit.take('other');
    await limit.reset('k');
    await limit.check('k');
  });
});
