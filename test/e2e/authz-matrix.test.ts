import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { requestSchemas, type RequestName } from '@sightline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID, MATRIX_PASSWORD, OUTSIDE_API, REST, SOCKET } from '../support/authzMatrix.js';
import { addUsers, connect, makeMatrix, restMismatches, socketMismatches, type Matrix } from '../support/authzRun.js';
import { startFakeTwilio, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { builtRoutes, routeKey } from '../support/routeTable.js';
import { http, startServer, type TestServer } from '../support/server.js';

/**
 * Who may do what, tried for real: every route the server mounts and every signalling message, as
 * dispatcher, other dispatcher, supervisor, caller of this session, caller of another, viewer, no
 * token, expired, tampered, `alg: none` and RS256 (algorithm confusion) tokens. The cases are
 * generated from the built server's route table and the shared message list; each needs an entry in
 * test/support/authzMatrix.ts (the documented rules). Allowed means the documented success status,
 * refused means exactly 401 or 403 as documented. The cross-node case: authz-cross-node.test.ts.
 */
const SECRET = randomBytes(32).toString('hex');
const ROUTES = await builtRoutes();
const API = ROUTES.filter((r) => r.path.startsWith('/api/')).map(routeKey);
const MESSAGES = Object.keys(requestSchemas) as RequestName[];
let fake: FakeTwilio;
let server: TestServer;
let dataDir: string;
let m: Matrix;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-matrix-'));
  await addUsers({ DATA_DIR: dataDir });
  fake = await startFakeTwilio();
  // Twilio, so that the delivery webhook is mounted as in the route table; users exist already, so DEMO_PASSWORD must seed nothing.
  server = await startServer({
    DATA_DIR: dataDir,
    JWT_SECRET: SECRET,
    DEMO_PASSWORD: 'demo-should-not-work',
    ...twilioEnv(fake),
  });
  m = await makeMatrix(server.url, dataDir, SECRET);
});

afterAll(async () => {
  m?.close();
  await server?.stop();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the matrix covers everything', () => {
  it('has an entry for every route the server mounts, and none for a route it does not', () => {
    expect(API.length).toBeGreaterThan(20);
    expect(
      API.filter((k) => !(k in REST)),
      'mounted routes without an expectation',
    ).toEqual([]);
    expect(
      Object.keys(REST).filter((k) => !API.includes(k)),
      'expectations for routes not mounted',
    ).toEqual([]);
    expect(
      ROUTES.filter((r) => !r.path.startsWith('/api/'))
        .map(routeKey)
        .sort(),
      'routes outside /api',
    ).toEqual([...OUTSIDE_API].sort());
  });

  it('has an entry for every signalling message in the shared list', () => {
    expect(MESSAGES).toHaveLength(27);
    expect(Object.keys(SOCKET).sort()).toEqual([...MESSAGES].sort());
  });
});

describe('REST: role × route', () => {
  // Generated from the route table: a route without an entry fails here as well as above.
  for (const key of API) {
    it(key, async () => {
      const c = REST[key];
      expect(c, `no expectation for ${key} in test/support/authzMatrix.ts`).toBeDefined();
      expect(await restMismatches(server.url, m, key, c!)).toEqual([]);
    });
  }
});

describe('REST: the playback cookie', () => {
  // <video src> cannot send a bearer header: recordings also take the staff token from the HttpOnly cookie, under the same rule.
  it("plays a recording to a supervisor's cookie only", async () => {
    const url = `${server.url}/api/sessions/${m.fx.sessionId}/recordings/${m.fx.recordingName}`;
    const statuses: Record<string, number> = {};
    for (const who of ['supervisor', 'dispatcher', 'other dispatcher', 'caller', 'viewer', 'tampered', 'alg none'] as const) {
      statuses[who] = (await fetch(url, { headers: { cookie: `sightline_staff=${m.tokens[who]}` } })).status;
    }
    expect(statuses).toEqual({ supervisor: 200, dispatcher: 403, 'other dispatcher': 403, caller: 401, viewer: 401, tampered: 401, 'alg none': 401 });
  });
});

describe('socket: role × message', () => {
  it('refuses the connection to anyone without a valid token', async () => {
    for (const who of INVALID) expect(await connect(server.url, m.tokens[who]), who).toBeInstanceOf(Error);
  });

  for (const event of MESSAGES) {
    it(event, async () => {
      expect(SOCKET[event], `no expectation for ${event}`).toBeDefined();
      expect(await socketMismatches(server.url, m, event)).toEqual([]);
    });
  }
});

describe('users and login', () => {
  it('does not seed demo users when users exist', async () => {
    expect((await http('POST', `${server.url}/api/auth/login`, { body: { username: 'dispatcher', password: 'demo-should-not-work' } })).status).toBe(401);
    expect((await http('POST', `${server.url}/api/auth/login`, { body: { username: 'dispatcher', password: MATRIX_PASSWORD } })).status).toBe(200);
  });

  it("limits wrong passwords per user from everywhere (a ceiling that spares the user's own address), then per address, with clear 429s", async () => {
    const attempt = (username: string, from: string, password = 'wrong-password') =>
      fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ username, password }),
      });
    // Per (user, address) limits: login-lockout.test.ts. Here the ceiling: 100 failures for one user from 100 addresses.
    expect((await attempt('other', '198.18.9.9', MATRIX_PASSWORD)).status).toBe(200);
    const perUser: number[] = [];
    for (let i = 0; i < 100; i++) perUser.push((await attempt('other', `198.18.${1 + (i >> 6)}.${i & 63}`)).status);
    expect(perUser.every((s) => s === 401)).toBe(true);
    const limited = await attempt('other', '198.18.2.200');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe('rate_limited');
    // The address 'other' signed in from before still gets in; a new one waits (even with the right password).
    expect((await attempt('other', '198.18.9.9', MATRIX_PASSWORD)).status).toBe(200);
    expect((await attempt('other', '198.18.9.10', MATRIX_PASSWORD)).status).toBe(429);

    const perAddress: number[] = [];
    for (let i = 0; i < 32; i++) perAddress.push((await attempt(`nobody${i}`, '198.18.3.3')).status);
    expect(perAddress.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(perAddress.slice(30)).toEqual([429, 429]);
  });
});
