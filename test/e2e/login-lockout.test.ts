import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11, item 5: an attacker must not be able to lock a dispatcher out by failing logins for
 * that username. The server trusts X-Forwarded-For from loopback (TRUST_PROXY default), so one test
 * process plays the attacker at one address and the dispatcher at another, as a proxy would pass them.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

async function loginFrom(address: string, username: string, password: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username, password }),
  });
  await res.text();
  return { status: res.status, ms: Date.now() - started };
}

describe('login failures', () => {
  it('an attacker failing 12 times for dispatcher from one address does not lock the real dispatcher out from another', async () => {
    const attacker = [];
    for (let i = 0; i < 12; i++) attacker.push((await loginFrom('198.51.100.7', 'dispatcher', `wrong-guess-${i}`)).status);
    // The attacker's own address is stopped for this username...
    expect(
      attacker.slice(0, 10).every((s) => s === 401),
      `attacker answers ${attacker.join(',')}`,
    ).toBe(true);
    expect(attacker.slice(10)).toEqual([429, 429]);
    // ...even with the right password from there,
    expect((await loginFrom('198.51.100.7', 'dispatcher', DEMO_PASSWORD)).status).toBe(429);
    // but the dispatcher at their own desk logs in at once.
    expect((await loginFrom('203.0.113.20', 'dispatcher', DEMO_PASSWORD)).status).toBe(200);
    // And the attacker's address is not stopped for another user's login.
    expect((await loginFrom('198.51.100.7', 'supervisor', DEMO_PASSWORD)).status).toBe(200);
  });

  it('slows repeated failures from one address for one username, progressively', async () => {
    const times: number[] = [];
    for (let i = 0; i < 6; i++) times.push((await loginFrom('198.51.100.8', 'supervisor', `wrong-${i}`)).ms);
    // The first few failures answer at scrypt speed; later ones wait longer each time.
    expect(times[5]!).toBeGreaterThan(times[1]! + 1500);
    expect(times[5]!).toBeGreaterThan(times[4]!);
  });
});
