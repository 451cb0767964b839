import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { waitFor } from '../support/browser.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Several nodes on one Redis started on the embedded defaults, i.e. without JWT_SECRET: they agree
 * on one generated signing key kept in Redis, so a token one node issued is good on every other,
 * including nodes started at the very same moment and nodes started later.
 */
let redis: RedisServer;
const nodes: TestServer[] = [];
// An empty variable is "unset" (config.ts): the test runner's own environment must not leak a secret in.
const noSecret = { JWT_SECRET: '', NODE_ENV: 'development' };

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await redis?.stop();
});

describe('several nodes without JWT_SECRET', () => {
  it('accepts a token issued on one node on every other node sharing the Redis, however they started', async () => {
    // Started together: both race to store their generated key, one wins, both use it.
    const [a, b] = await Promise.all([startServer({ ...noSecret, REDIS_URL: redis.url }), startServer({ ...noSecret, REDIS_URL: redis.url })]);
    nodes.push(a!, b!);
    const fromA = await login(a!);
    const fromB = await login(b!);
    for (const [token, node] of [
      [fromA, b!],
      [fromB, a!],
      [fromA, a!],
    ] as const) {
      expect((await http('GET', `${node.url}/api/sessions`, { token })).status).toBe(200);
    }
    // A session made on A through A's token is opened on B with the same token.
    const created = await http('POST', `${a!.url}/api/sessions`, { token: fromA, body: { phone: '+4791234567' } });
    expect(created.status).toBe(201);
    expect((await http('GET', `${b!.url}/api/sessions/${created.body.id}`, { token: fromA })).status).toBe(200);

    // A node started later joins with the same key.
    const c = await startServer({ ...noSecret, REDIS_URL: redis.url });
    nodes.push(c);
    expect((await http('GET', `${c.url}/api/sessions`, { token: fromB })).status).toBe(200);
    expect((await http('GET', `${a!.url}/api/sessions`, { token: await login(c) })).status).toBe(200);
    // The key is never printed.
    const key = await redisGet(redis.port, 'sl:jwt-secret');
    expect(key).toBeTruthy();
    for (const n of nodes) expect(n.output()).not.toContain(key);

    // Redis loses the key (as a restart without persistence does): the running nodes put theirs
    // back as they reconnect, so a node started afterwards still agrees with them.
    redisCli(redis.port, 'DEL', 'sl:jwt-secret');
    redisCli(redis.port, 'CLIENT', 'KILL', 'TYPE', 'normal');
    await waitFor('the shared key back in Redis', async () => (await redisGet(redis.port, 'sl:jwt-secret')) === key, 10_000, 100);
    const d = await startServer({ ...noSecret, REDIS_URL: redis.url });
    nodes.push(d);
    expect((await http('GET', `${a!.url}/api/sessions`, { token: await login(d) })).status).toBe(200);
  });

  it('still refuses to start in production without JWT_SECRET, Redis or not', async () => {
    await expect(startServer({ JWT_SECRET: '', NODE_ENV: 'production', REDIS_URL: redis.url })).rejects.toThrow(
      /JWT_SECRET is required when NODE_ENV=production/,
    );
  });

  it('keeps a single node on its own fresh key: tokens do not outlive it', async () => {
    const solo = await startServer({ ...noSecret });
    const token = await login(solo);
    await solo.stop();
    const again = await startServer({ ...noSecret, PORT: new URL(solo.url).port });
    nodes.push(again);
    expect((await http('GET', `${again.url}/api/sessions`, { token })).status).toBe(401);
  });
});

function redisCli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(port), '--raw', ...args], { encoding: 'utf8' }).trim();
}

async function redisGet(port: number, key: string): Promise<string> {
  return redisCli(port, 'GET', key);
}
