import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, REPO_ROOT, startServer, type TestServer } from '../support/server.js';

/**
 * Who may do what, tried for real: every REST route and socket message against dispatcher, other
 * dispatcher, supervisor, caller of this session, caller of another, viewer, no token, expired,
 * tampered, `alg: none` and RS256 (algorithm confusion) tokens.
 */
const run = promisify(execFile);
const SECRET = randomBytes(32).toString('hex');
const PASSWORD = 'matrix-password-123';
let server: TestServer;
let dataDir: string;
const tokens: Record<string, string | undefined> = {};
let sessionId: string;
let otherSessionId: string;
const sockets: Socket[] = [];

async function login(username: string): Promise<string> {
  const r = await http('POST', `${server.url}/api/auth/login`, { body: { username, password: PASSWORD } });
  expect(r.status, username).toBe(200);
  return r.body.token;
}

async function session(token: string): Promise<{ id: string; code: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
  return { id: r.body.id, code: String(r.body.inviteUrl).split('/j/')[1]! };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-matrix-'));
  const cli = path.join(REPO_ROOT, 'server/bin/sightline.js');
  for (const [name, role] of [['dispatcher', 'dispatcher'], ['other', 'dispatcher'], ['supervisor', 'supervisor']]) {
    const child = run(process.execPath, [cli, 'user', 'add', name!, '--role', role!], { env: { ...process.env, DATA_DIR: dataDir } });
    child.child.stdin?.end(`${PASSWORD}\n`);
    await child;
  }
  // Users exist already, so DEMO_PASSWORD must seed nothing.
  server = await startServer({ DATA_DIR: dataDir, JWT_SECRET: SECRET, DEMO_PASSWORD: 'demo-should-not-work' });
  tokens['dispatcher'] = await login('dispatcher');
  tokens['other dispatcher'] = await login('other');
  tokens['supervisor'] = await login('supervisor');
  const mine = await session(tokens['dispatcher']!);
  const theirs = await session(tokens['other dispatcher']!);
  sessionId = mine.id;
  otherSessionId = theirs.id;
  tokens['caller'] = (await http('POST', `${server.url}/api/invites/${mine.code}/redeem`)).body.token;
  tokens['caller of another'] = (await http('POST', `${server.url}/api/invites/${theirs.code}/redeem`)).body.token;
  const viewerUrl = (await http('POST', `${server.url}/api/sessions/${sessionId}/viewers`, { token: tokens['dispatcher'], body: {} })).body.inviteUrl as string;
  tokens['viewer'] = (await http('POST', `${server.url}/api/invites/${viewerUrl.split('/j/')[1]}/redeem`)).body.token;
  tokens['no token'] = undefined;
  const claims = { typ: 'staff', username: 'supervisor', role: 'supervisor' };
  tokens['expired'] = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, SECRET, { issuer: 'sightline', audience: 'sightline' });
  const [h, p, s] = tokens['dispatcher']!.split('.');
  const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'supervisor' })).toString('base64url');
  tokens['tampered'] = `${h}.${elevated}.${s}`;
  tokens['alg none'] = jwt.sign(claims, '', { algorithm: 'none', issuer: 'sightline', audience: 'sightline', expiresIn: 600 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  tokens['RS256 (confusion)'] = jwt.sign(claims, privateKey, { algorithm: 'RS256', issuer: 'sightline', audience: 'sightline', expiresIn: 600 });
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

type Who = 'dispatcher' | 'other dispatcher' | 'supervisor' | 'caller' | 'caller of another' | 'viewer' | 'no token' | 'expired' | 'tampered' | 'alg none' | 'RS256 (confusion)';
const EVERYONE: Who[] = ['dispatcher', 'other dispatcher', 'supervisor', 'caller', 'caller of another', 'viewer', 'no token', 'expired', 'tampered', 'alg none', 'RS256 (confusion)'];

/** Route → who may use it on this session; everyone else must get 401 or 403. */
const REST: [string, string, Who[], unknown?][] = [
  ['GET', '/api/sessions', ['dispatcher', 'other dispatcher', 'supervisor']],
  ['GET', '/api/sessions/:id', ['dispatcher', 'supervisor']],
  ['POST', '/api/sessions/:id/sms', ['dispatcher']],
  ['POST', '/api/sessions/:id/viewers', ['dispatcher'], {}],
  ['POST', '/api/sessions/:id/code', ['dispatcher']],
  ['GET', '/api/sessions/:id/snapshots', ['dispatcher', 'supervisor']],
  ['GET', '/api/sessions/:id/recordings', ['dispatcher', 'supervisor']],
  ['POST', '/api/sessions/:id/recording', ['dispatcher'], { action: 'stop' }],
  ['GET', '/api/sessions/:id/verify', ['supervisor']],
  ['GET', '/api/sessions/:id/export', ['supervisor']],
  ['POST', '/api/sessions/:id/hold', ['supervisor'], { hold: false }],
  ['GET', '/api/audit/access', ['supervisor']],
  ['POST', '/api/auth/refresh', ['dispatcher', 'other dispatcher', 'supervisor']],
  ['POST', '/api/sessions/:id/photos', ['caller'], Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0])],
];

describe('REST: role × action', () => {
  for (const [method, route, allowed, body] of REST) {
    it(`${method} ${route}`, async () => {
      for (const who of EVERYONE) {
        const url = `${server.url}${route.replace(':id', sessionId)}`;
        const status = Buffer.isBuffer(body)
          ? (await fetch(url, { method, headers: { 'content-type': 'image/jpeg', ...(tokens[who] && { authorization: `Bearer ${tokens[who]}` }) }, body: new Uint8Array(body) })).status
          : (await http(method, url, { token: tokens[who], body })).status;
        if (allowed.includes(who)) expect([401, 403], `${who} should be allowed (got ${status})`).not.toContain(status);
        else expect([401, 403], `${who} must be refused (got ${status})`).toContain(status);
      }
    });
  }

  it('lets only the owning dispatcher end a session (tried last: it ends it)', async () => {
    for (const who of EVERYONE.filter((w) => w !== 'other dispatcher')) {
      expect([401, 403], who).toContain((await http('POST', `${server.url}/api/sessions/${otherSessionId}/end`, { token: tokens[who] })).status);
    }
    expect((await http('POST', `${server.url}/api/sessions/${otherSessionId}/end`, { token: tokens['other dispatcher'] })).status).toBe(200);
  });
});

/** Socket message → who may send it for this session. */
const SOCKET: [string, Who[], (id: string) => unknown][] = [
  ['session:join', ['dispatcher', 'supervisor', 'caller', 'viewer'], (id) => ({ sessionId: id })],
  ['transport:create', ['dispatcher', 'supervisor', 'caller', 'viewer'], (id) => ({ sessionId: id, direction: 'recv' })],
  ['media:consume', ['dispatcher', 'supervisor', 'viewer'], (id) => ({ sessionId: id, transportId: 't1', producerId: 'p1', rtpCapabilities: {} })],
  ['media:produce', ['caller'], (id) => ({ sessionId: id, transportId: 't1', kind: 'video', rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }] } })],
  ['chat:send', ['dispatcher', 'caller', 'viewer'], (id) => ({ sessionId: id, text: 'hello' })],
  ['control:request', ['dispatcher'], (id) => ({ sessionId: id, action: 'flip' })],
  ['control:reply', ['caller'], (id) => ({ sessionId: id, action: 'flip', outcome: 'done' })],
  ['caller:location', ['caller'], (id) => ({ sessionId: id, lat: 59.9, lng: 10.7, accuracy: 10 })],
  ['caller:media', ['caller'], (id) => ({ sessionId: id, paused: false, facing: 'environment' })],
];

describe('socket: role × message', () => {
  const connect = (token: string | undefined) =>
    new Promise<Socket | Error>((resolve) => {
      const s = io(server.url, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
      sockets.push(s);
      s.once('connect', () => resolve(s));
      s.once('connect_error', (e) => resolve(e));
    });

  it('refuses the connection to anyone without a valid token', async () => {
    for (const who of ['no token', 'expired', 'tampered', 'alg none', 'RS256 (confusion)'] as Who[]) {
      expect(await connect(tokens[who]), who).toBeInstanceOf(Error);
    }
  });

  for (const [event, allowed, payload] of SOCKET) {
    it(event, async () => {
      for (const who of ['dispatcher', 'other dispatcher', 'supervisor', 'caller', 'caller of another', 'viewer'] as Who[]) {
        const socket = (await connect(tokens[who])) as Socket;
        const ack = await socket.emitWithAck(event, payload(sessionId));
        const refused = !ack.ok && (ack.error.code === 'forbidden' || ack.error.code === 'unauthorized');
        expect(refused, `${who} → ${event}: ${JSON.stringify(ack)}`).toBe(!allowed.includes(who));
        socket.disconnect();
      }
    });
  }
});

describe('users and login', () => {
  it('does not seed demo users when users exist', async () => {
    expect((await http('POST', `${server.url}/api/auth/login`, { body: { username: 'dispatcher', password: 'demo-should-not-work' } })).status).toBe(401);
  });

  it('limits wrong passwords per user, then per address, with clear 429s', async () => {
    const attempt = (username: string, from: string) =>
      fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ username, password: 'wrong-password' }),
      });
    const perUser: number[] = [];
    for (let i = 0; i < 12; i++) perUser.push((await attempt('other', `198.18.1.${i}`)).status);
    expect(perUser.slice(0, 10).every((s) => s === 401)).toBe(true);
    const limited = await attempt('other', '198.18.2.1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe('rate_limited');

    const perAddress: number[] = [];
    for (let i = 0; i < 32; i++) perAddress.push((await attempt(`nobody${i}`, '198.18.3.3')).status);
    expect(perAddress.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(perAddress.slice(30)).toEqual([429, 429]);
  });
});
