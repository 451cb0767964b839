import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/browser.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11, item 11: refused attempts are seen. Each general kind (a failed or limited login, a
 * 429 from any route, a refused socket, a revoked token) is one log line and one count in
 * /metrics (`sightline_security_events_total{kind}`).
 */
let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

async function count(kind: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`sightline_security_events_total{kind="${kind}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** The server's JSON log lines recording this kind. */
function logged(kind: string): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l['security'] === kind);
}

function refusedHandshake(token: string | undefined): Promise<string> {
  const socket = io(server.url, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise<string>((resolve, reject) => {
    socket.once('connect', () => reject(new Error('the socket was accepted')));
    socket.once('connect_error', (err) => resolve(err.message));
  }).finally(() => socket.close());
}

const post = (address: string, body: unknown) =>
  fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify(body),
  });

describe('security events', () => {
  it('logs and counts a failed login, without the password', async () => {
    expect((await post('192.0.2.10', { username: 'dispatcher', password: 'not-the-password-1' })).status).toBe(401);
    expect(await count('login_failed')).toBe(1);
    const [line] = logged('login_failed');
    expect(line).toMatchObject({ level: 40, reason: 'wrong_credentials', username: 'dispatcher' });
    expect(JSON.stringify(line)).not.toContain('not-the-password-1');
  });

  it('logs and counts a refused socket: no token, a bad token, a revoked token', async () => {
    expect(await refusedHandshake(undefined)).toMatch(/token/);
    expect(await refusedHandshake('not.a.token')).toMatch(/invalid/);
    const token = await login(server, 'supervisor');
    expect((await http('POST', `${server.url}/api/auth/logout`, { token })).status).toBe(204);
    expect(await refusedHandshake(token)).toMatch(/revoked/);
    expect(await count('socket_refused')).toBe(3);
    expect(logged('socket_refused').map((l) => l['reason'])).toEqual(['missing_token', 'invalid_token', 'revoked']);
    expect(await count('token_revoked')).toBeGreaterThanOrEqual(1);
    expect(logged('token_revoked')[0]).toMatchObject({ reason: 'logged_out', username: 'supervisor' });
  });

  it('logs and counts every 429 with the name of the limit, and a limited login as such', async () => {
    // 30 login attempts per address in 15 minutes: the 31st is refused before any password check.
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await post('192.0.2.77', { username: `nobody-${i}`, password: 'x' })).status);
    expect(statuses.at(-1)).toBe(429);
    await waitFor('the 429 counted', async () => ((await count('rate_limited')) >= 1 ? true : undefined));
    expect(logged('rate_limited').at(-1)).toMatchObject({ reason: 'loginPerIp', path: '/api/auth/login', status: 429 });
    expect(await count('login_limited')).toBe(1);
  });
});
