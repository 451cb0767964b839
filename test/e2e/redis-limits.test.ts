import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { DEMO_PASSWORD, http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Rate limits in Redis mode, end to end: two nodes on one redis-server must share each count, so
 * a client that spreads its guesses over both nodes gets no more than the limit. The counts are
 * read back from Redis itself, and deleting them there lifts the limit on both nodes: the state
 * lives in Redis, not in a node. Each test speaks from its own client address (X-Forwarded-For,
 * believed from loopback by the default TRUST_PROXY), so no test spends another's points.
 */
let redis: RedisServer;
let a: TestServer;
let b: TestServer;
let dataDir: string;

beforeAll(async () => {
  redis = await startRedisServer();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-redis-limits-'));
  const shared = { REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir };
  a = await startServer(shared);
  b = await startServer(shared);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function redisCli(...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(redis.port), '--raw', ...args], { encoding: 'utf8' }).trim();
}

/** A rate-limit key as it lies in Redis: its points spent and its time to live. */
function limitKey(name: string, key: string): { spent: number; ttlMs: number } {
  const k = `sl:rl:${name}:${key}`;
  return { spent: Number(redisCli('GET', k) || 0), ttlMs: Number(redisCli('PTTL', k)) };
}

async function post(server: TestServer, route: string, from: string, body: unknown): Promise<{ status: number; retryAfter: number; body: any }> {
  const res = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, retryAfter: Number(res.headers.get('retry-after')), body: text ? JSON.parse(text) : undefined };
}

const redeem = (server: TestServer, from: string, code: string) => post(server, '/api/codes/redeem', from, { code });
const attemptLogin = (server: TestServer, from: string, username: string, password: string) => post(server, '/api/auth/login', from, { username, password });

describe('rate limits shared through Redis by two nodes', () => {
  it('refuses an address on both nodes after 5 wrong spoken codes spread over both, right code included', async () => {
    const token = await login(a);
    const created = await http('POST', `${a.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-RL' } });
    expect(created.status).toBe(201);
    const issued = await http('POST', `${a.url}/api/sessions/${created.body.id}/code`, { token });
    expect(issued.status).toBe(201);
    const code = issued.body.code as string;
    const wrong = Array.from({ length: 5 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));

    const guesser = '203.0.113.10';
    const nodes = [a, b, a, b, a];
    for (const [i, guess] of wrong.entries()) {
      const r = await redeem(nodes[i]!, guesser, guess);
      expect(r.status, `wrong code ${i + 1} on node ${nodes[i] === a ? 'A' : 'B'}`).toBe(404);
    }
    // Each node saw at most 3 failures: only a shared count reaches 5.
    for (const [name, server] of [
      ['B', b],
      ['A', a],
    ] as const) {
      const refused = await redeem(server, guesser, code);
      expect(refused.status, `right code on node ${name} after 5 failures`).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(refused.retryAfter, 'Retry-After in seconds').toBeGreaterThan(0);
      expect(refused.retryAfter).toBeLessThanOrEqual(15 * 60);
    }

    // The count is in Redis, with the 15-minute window as its lifetime: 5 failures, and a point
    // spent (up front, atomically) by each of the two refused tries.
    const failures = limitKey('redeemFailuresPerAddress', `code:${guesser}`);
    expect(failures.spent).toBe(5 + 2);
    expect(failures.ttlMs).toBeGreaterThan(14 * 60_000);
    expect(failures.ttlMs).toBeLessThanOrEqual(15 * 60_000);
    expect(limitKey('redeemAttemptsPerAddress', `code:${guesser}`).spent).toBe(5 + 2);

    // Another address is not affected, and may use the code (on the other node).
    const other = await redeem(b, '203.0.113.11', code);
    expect(other.status).toBe(200);
    expect(other.body.sessionId).toBe(created.body.id);
  });

  it('limits wrong passwords per user and address across both nodes, without locking the user out elsewhere', async () => {
    const from = '203.0.113.20';
    for (let i = 0; i < 10; i++) {
      const r = await attemptLogin(i % 2 ? b : a, from, 'supervisor', 'not-the-password');
      expect(r.status, `wrong password ${i + 1}`).toBe(401);
    }
    expect(limitKey('loginFailuresPerUserAddress', `supervisor@${from}`).spent).toBe(10);
    expect(limitKey('loginFailuresPerUser', 'supervisor').spent).toBe(10);
    // The right password is refused now from that address, on either node...
    for (const server of [a, b]) {
      const r = await attemptLogin(server, from, 'supervisor', DEMO_PASSWORD);
      expect(r.status).toBe(429);
      expect(r.retryAfter).toBeGreaterThan(0);
    }
    // ...but not from another address.
    expect((await attemptLogin(b, '203.0.113.40', 'supervisor', DEMO_PASSWORD)).status).toBe(200);
    // Lifted in Redis, lifted on both nodes: no node keeps a copy of its own.
    redisCli('DEL', `sl:rl:loginFailuresPerUserAddress:supervisor@${from}`);
    expect((await attemptLogin(a, from, 'supervisor', DEMO_PASSWORD)).status).toBe(200);
  });

  it('lets exactly the per-address login limit through a concurrent burst split over both nodes', async () => {
    const from = '203.0.113.50';
    // 40 at once, 20 a node, each for another user (so only the per-address limit of 30 applies).
    // Taking a point must be one atomic step in Redis, or concurrent requests slip past the limit.
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => attemptLogin(i % 2 ? b : a, from, `nobody-${i}`, 'not-the-password').then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect(limitKey('loginPerIp', from).spent).toBeGreaterThanOrEqual(30);
    // Other addresses log in as usual.
    expect((await attemptLogin(a, '203.0.113.51', 'dispatcher', DEMO_PASSWORD)).status).toBe(200);
  });
});
