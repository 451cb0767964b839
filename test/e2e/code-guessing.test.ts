import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Ack } from '@sightline/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { waitFor } from '../support/browser.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Guessing spoken codes from outside, as an attacker would (issue #11, item 1): from many addresses
 * of one IPv6 /64, with many guesses at once from one address, and from unlimited addresses against
 * the deployment-wide failure budget. Each mode runs on its own servers: memory (one node) and Redis
 * (two nodes on one redis-server, the guesses spread over both). Client addresses come through
 * X-Forwarded-For, believed from loopback by the default TRUST_PROXY, as from a real proxy.
 */
const FAILURES_PER_ADDRESS = 5; // LIMITS.redeemFailuresPerAddress
const BUDGET = 19; // LIMITS.codeFailureBudget: wrong codes per generation of live codes, all addresses together
const TRIPS = 3; // LIMITS.codeBudgetTrips: replacements per window that reopen code entry

interface Cluster {
  nodes: TestServer[];
  stop(): Promise<void>;
}

async function cluster(mode: 'memory' | 'redis', env: Record<string, string> = {}): Promise<Cluster> {
  if (mode === 'memory') {
    const node = await startServer(env);
    return { nodes: [node], stop: () => node.stop() };
  }
  const redis: RedisServer = await startRedisServer();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-code-guessing-'));
  const shared = { REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir, ...env };
  const nodes = [await startServer(shared), await startServer(shared)];
  return {
    nodes,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await redis.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function post(server: TestServer, route: string, from: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'x-forwarded-for': from, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const guess = (server: TestServer, from: string, code: string) => post(server, '/api/codes/redeem', from, { code });

/** A 6-digit code that is none of `live`. */
function wrongCode(i: number, live: string[]): string {
  for (let n = i; ; n += 7919) {
    const code = String((n * 104_729 + 12_345) % 1_000_000).padStart(6, '0');
    if (!live.includes(code)) return code;
  }
}

async function securityCount(server: TestServer, kind: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`^sightline_security_events_total\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

async function newSessionWithCode(server: TestServer, token: string): Promise<{ id: string; code: string }> {
  const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-GUESS' } });
  expect(created.status).toBe(201);
  const issued = await http('POST', `${server.url}/api/sessions/${created.body.id}/code`, { token });
  expect(issued.status).toBe(201);
  return { id: created.body.id as string, code: issued.body.code as string };
}

describe.each(['memory', 'redis'] as const)('spoken codes against guessing (%s mode)', (mode) => {
  let c: Cluster;
  let token: string;
  const node = (i: number) => c.nodes[i % c.nodes.length]!;

  beforeAll(async () => {
    c = await cluster(mode);
    token = await login(c.nodes[0]!);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('keys an IPv6 client by its /64: a sixth wrong code from another address of the same /64 is refused', async () => {
    const { code } = await newSessionWithCode(node(0), token);
    const statuses: number[] = [];
    for (let i = 1; i <= FAILURES_PER_ADDRESS + 1; i++) statuses.push((await guess(node(i), `2001:db8:1:2::a${i}`, wrongCode(i, [code]))).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
    // The right code from the same /64 is refused too; another /64 is not affected.
    expect((await guess(node(0), '2001:db8:1:2:ffff::1', code)).status).toBe(429);
    expect((await guess(node(1), '2001:db8:1:3::a1', code)).status).toBe(200);
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address', async () => {
    const { code } = await newSessionWithCode(node(0), token);
    const forms = ['198.51.100.7', '::ffff:198.51.100.7', '198.51.100.7', '::ffff:c633:6407', '198.51.100.7'];
    for (const [i, from] of forms.entries()) expect((await guess(node(i), from, wrongCode(100 + i, [code]))).status, from).toBe(404);
    expect((await guess(node(0), '::ffff:198.51.100.7', code)).status).toBe(429);
    expect((await guess(node(1), '198.51.100.8', code)).status).toBe(200);
  });

  it('spends failures atomically: of 60 wrong codes sent at once from one address, 5 are tried and 55 refused', async () => {
    const { code } = await newSessionWithCode(node(0), token);
    const from = '203.0.113.60';
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => guess(node(i), from, wrongCode(200 + i, [code])).then((r) => r.status)));
    expect(statuses.filter((s) => s === 404)).toHaveLength(FAILURES_PER_ADDRESS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(60 - FAILURES_PER_ADDRESS);
    expect((await guess(node(1), from, code)).status).toBe(429);
  });

  it('logs and counts every wrong and every refused code', async () => {
    // The three tests above: 15 wrong codes tried; refused untried: 2 from the /64, 1 mapped, 55 + 1 at once.
    const total = async (kind: string) => (await Promise.all(c.nodes.map((n) => securityCount(n, kind)))).reduce((a, b) => a + b, 0);
    expect(await total('code_failed')).toBe(3 * FAILURES_PER_ADDRESS);
    expect(await total('code_limited')).toBe(2 + 1 + 56);
    const output = c.nodes.map((n) => n.output()).join('');
    expect(output).toContain('"security":"code_failed"');
    expect(output).toContain('"key":"2001:db8:1:2::/64"');
  });
});

describe.each(['memory', 'redis'] as const)('the deployment-wide failure budget (%s mode)', (mode) => {
  let c: Cluster;
  let token: string;
  const sockets: Socket[] = [];
  const node = (i: number) => c.nodes[i % c.nodes.length]!;

  beforeAll(async () => {
    c = await cluster(mode);
    token = await login(c.nodes[0]!);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await c?.stop();
  });

  async function consoleSocket(server: TestServer, sessionId: string): Promise<Socket> {
    const s = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    const ack = (await s.timeout(10_000).emitWithAck('session:join', { sessionId })) as Ack<unknown>;
    expect(ack.ok).toBe(true);
    return s;
  }

  it('replaces the live codes when guesses from unlimited addresses spend it, tells the console, and the caller gets in with the new code', async () => {
    const first = await newSessionWithCode(node(0), token);
    const second = await newSessionWithCode(node(0), token);
    const live = [first.code, second.code];
    // The dispatcher's console, on the other node in Redis mode.
    const dispatcher = await consoleSocket(node(1), first.id);
    const pushed: { sessionId: string; code: string; expiresAt: string }[] = [];
    dispatcher.on('code:replaced' as never, (p: (typeof pushed)[number]) => void pushed.push(p));

    // Four wrong codes from each of many /64s: no address reaches its own limit.
    const statuses: number[] = [];
    for (let i = 0; statuses.length < BUDGET + 1; i++) {
      statuses.push((await guess(node(i), `2001:db8:${(i >> 2) + 100}::${(i % 4) + 1}`, wrongCode(300 + i, live))).status);
    }
    expect(statuses.slice(0, BUDGET)).toEqual(Array(BUDGET).fill(404));
    expect(statuses[BUDGET], 'the guess after the budget is refused, untried').toBe(429);

    await waitFor('the console to be told the new code', async () => pushed.length > 0, 10_000);
    const replaced = pushed[0]!;
    expect(replaced.sessionId).toBe(first.id);
    expect(replaced.code).toMatch(/^\d{6}$/);
    expect(replaced.code).not.toBe(first.code);
    expect(Date.parse(replaced.expiresAt)).toBeGreaterThan(Date.now());

    // Each replacement is in its session's log, without the code.
    for (const s of [first, second]) {
      const detail = await http('GET', `${node(0).url}/api/sessions/${s.id}`, { token });
      const events = (detail.body.events as { type: string; details?: Record<string, unknown> }[]).filter((e) => e.type === 'code_replaced');
      expect(events, s.id).toHaveLength(1);
      expect(JSON.stringify(events[0])).not.toContain(s.code);
      expect(events[0]!.details).toMatchObject({ reason: 'guess_budget' });
    }

    // The old code is gone; the new one, read out by the dispatcher, lets the real caller in.
    expect((await guess(node(0), '192.0.2.10', first.code)).status).toBe(404);
    const caller = await guess(node(1), '192.0.2.11', replaced.code);
    expect(caller.status).toBe(200);
    expect(caller.body).toMatchObject({ sessionId: first.id, role: 'caller' });

    const total = async (kind: string) => (await Promise.all(c.nodes.map((n) => securityCount(n, kind)))).reduce((a, b) => a + b, 0);
    expect(await total('code_budget_tripped')).toBe(1);
    expect(await total('code_failed')).toBe(BUDGET + 1);
  });
});

describe.each(['memory', 'redis'] as const)('a sustained attack on the failure budget (%s mode)', (mode) => {
  // The budget's window is the code lifetime: 12 s here instead of 10 minutes.
  const WINDOW_MS = 12_000;
  let c: Cluster;
  let token: string;
  let socket: Socket | undefined;
  const node = (i: number) => c.nodes[i % c.nodes.length]!;

  beforeAll(async () => {
    c = await cluster(mode, { SPOKEN_CODE_MINUTES: String(WINDOW_MS / 60_000) });
    token = await login(c.nodes[0]!);
  });
  afterAll(async () => {
    socket?.disconnect();
    await c?.stop();
  });

  // (TRIPS + 1) × BUDGET = 76: the figure docs/security.md states.
  it('tries at most 76 wrong codes per window, then closes code entry until the window ends; the last code shown works after', async () => {
    const s = await newSessionWithCode(node(0), token);
    socket = io(node(1).url, { auth: { token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', () => resolve());
      socket!.once('connect_error', reject);
    });
    expect(((await socket.timeout(10_000).emitWithAck('session:join', { sessionId: s.id })) as Ack<unknown>).ok).toBe(true);
    const pushed: { code: string; closedUntil?: string }[] = [];
    socket.on('code:replaced' as never, (p: (typeof pushed)[number]) => void pushed.push(p));

    // Guesses from ever new /64s, one at a time, until code entry is closed.
    let tried = 0;
    let refused = 0;
    for (let i = 0; refused < 10 && i < 1_000; i++) {
      const r = await guess(node(i), `2001:db8:4:${i.toString(16)}::1`, wrongCode(1000 + i, [s.code, ...pushed.map((p) => p.code)]));
      if (r.status === 404) tried++;
      else if (r.status === 429 && pushed.some((p) => p.closedUntil)) refused++;
      else expect(r.status, `guess ${i}`).toBe(429);
    }
    expect(tried).toBe((TRIPS + 1) * BUDGET);
    await waitFor('every replacement pushed', async () => pushed.length === TRIPS + 1, 10_000);
    expect(pushed.slice(0, TRIPS).every((p) => !p.closedUntil)).toBe(true);
    const last = pushed.at(-1)!;
    const closedUntil = Date.parse(last.closedUntil!);
    expect(closedUntil).toBeGreaterThan(Date.now());
    expect(closedUntil).toBeLessThanOrEqual(Date.now() + WINDOW_MS + 1_000);

    // Closed: even the right code is refused, untried, till then; after that it lets the caller in.
    expect((await guess(node(0), '192.0.2.40', last.code)).status).toBe(429);
    await waitFor('code entry to reopen', async () => Date.now() > closedUntil + 500, WINDOW_MS + 5_000, 100);
    const caller = await guess(node(1), '192.0.2.41', last.code);
    expect(caller.status).toBe(200);
    expect(caller.body.sessionId).toBe(s.id);
  });
});
