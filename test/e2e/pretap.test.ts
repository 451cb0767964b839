import type { RequestName } from '@sightline/shared';
import { requestSchemas } from '@sightline/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesDecoded, launchDevice, waitFor, type Device } from '../support/browser.js';
import { PRETAP_SOCKET } from '../support/authzMatrix.js';
import { VP8 } from '../support/authzRun.js';
import { dispatcherCreatesSession, sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { card } from '../support/session.js';

/**
 * Before the tap (issue #12): the caller's page opens its socket and connects its send transport under
 * a pre-tap credential, which the page's opening report returns. That credential can set up one send
 * transport and redeem, nothing else; opening the page spends nothing; after the tap only consent,
 * the camera and produce remain.
 */
let server: TestServer;
let token: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startServer();
  token = await login(server);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.stop();
});

async function newSession(): Promise<{ id: string; code: string; inviteUrl: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
  expect(r.status).toBe(201);
  return { id: r.body.id, inviteUrl: r.body.inviteUrl, code: String(r.body.inviteUrl).split('/j/')[1]! };
}

const eventTypes = async (id: string): Promise<string[]> =>
  ((await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.events as { type: string }[]).map((e) => e.type);
const inviteValid = async (code: string): Promise<boolean> => (await http('GET', `${server.url}/api/invites/${code}`)).body.valid;

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
const refusedCount = () => metric('sightline_security_events_total', '{kind="pretap_refused"}');
const pretapConnected = () => metric('sightline_pretap_transports', '{dtls="connected"}');

/** The page's opening report, as its script sends it: the answer holds the pre-tap credential. */
async function opened(code: string): Promise<{ token: string; sessionId: string }> {
  const r = await http('POST', `${server.url}/api/invites/${code}/opened`, { body: { browser: 'chrome' } });
  expect(r.status).toBe(200);
  return r.body.pretap;
}

function connect(t: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(server.url, { auth: { token: t }, transports: ['websocket'], reconnection: false });
    sockets.push(s);
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

type AckResult = { ok: true; data: any } | { ok: false; error: { code: string; message: string } };
const ask = (s: Socket, event: string, payload: unknown): Promise<AckResult> => s.timeout(15_000).emitWithAck(event, payload);
const DTLS = {
  role: 'client',
  fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':') }],
};

/** A valid payload for every message (a new message fails the build until it has one here). */
const PAYLOADS: Record<RequestName, (sessionId: string, transportId: string) => unknown> = {
  'session:join': (sessionId) => ({ sessionId }),
  'invite:redeem': (sessionId) => ({ sessionId }),
  'transport:create': (sessionId) => ({ sessionId, direction: 'recv' }),
  'transport:connect': (sessionId, transportId) => ({ sessionId, transportId, dtlsParameters: DTLS }),
  'transport:restart-ice': (sessionId, transportId) => ({ sessionId, transportId }),
  'transport:close': (sessionId, transportId) => ({ sessionId, transportId }),
  'media:produce': (sessionId, transportId) => ({ sessionId, transportId, kind: 'video', rtpParameters: VP8(33_333_333) }),
  'media:consume': (sessionId, transportId) => ({ sessionId, transportId, producerId: transportId, rtpCapabilities: {} }),
  'media:resume': (sessionId, transportId) => ({ sessionId, consumerId: transportId }),
  'media:key-frame': (sessionId, transportId) => ({ sessionId, consumerId: transportId }),
  'media:first-frame': (sessionId, transportId) => ({ sessionId, producerId: transportId }),
  'caller:camera': (sessionId) => ({ sessionId, granted: true }),
  'caller:media': (sessionId) => ({ sessionId, paused: false, facing: 'environment' }),
  'caller:location': (sessionId) => ({ sessionId, lat: 59.9, lng: 10.7, accuracy: 10 }),
  'chat:send': (sessionId) => ({ sessionId, text: 'before the tap' }),
  'control:request': (sessionId) => ({ sessionId, action: 'flip' }),
  'control:reply': (sessionId) => ({ sessionId, action: 'flip', outcome: 'done' }),
  'cpr:mode': (sessionId) => ({ sessionId, on: true }),
  'cpr:window': (sessionId) => ({ sessionId, rate: 110, quality: 'ok', seconds: 10, handsOffSeconds: 0 }),
  'cpr:pause': (sessionId) => ({ sessionId, seconds: 2.5 }),
  'cpr:metronome': (sessionId) => ({ sessionId, on: true }),
  'caller:stop-video': (sessionId) => ({ sessionId }),
  'show-me:produce': (sessionId, transportId) => ({ sessionId, transportId, source: 'camera', rtpParameters: VP8(33_333_334) }),
  'show-me:receive': (sessionId, transportId) => ({ sessionId, transportId, rtpCapabilities: {} }),
  'show-me:resume': (sessionId, transportId) => ({ sessionId, consumerId: transportId }),
  'show-me:stop': (sessionId) => ({ sessionId }),
  'show-me:close': (sessionId) => ({ sessionId }),
};

describe('the pre-tap credential', () => {
  it('sets up one send transport and can never produce, consume or act: each refusal counted, nothing logged, the invite unspent', async () => {
    const s = await newSession();
    const pretap = await opened(s.code);
    expect(pretap.sessionId).toBe(s.id);
    const before = await eventTypes(s.id);
    const refusedBefore = await refusedCount();
    const socket = await connect(pretap.token);

    const send = await ask(socket, 'transport:create', { sessionId: s.id, direction: 'send' });
    expect(send.ok, JSON.stringify(send)).toBe(true);
    const transportId = (send as { data: { id: string } }).data.id;
    // One send transport, and no receive transport (nothing to watch before the tap).
    for (const direction of ['send', 'recv']) {
      expect(await ask(socket, 'transport:create', { sessionId: s.id, direction })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const refused = (Object.keys(requestSchemas) as RequestName[]).filter((m) => !PRETAP_SOCKET.includes(m));
    for (const event of refused) {
      const ack = await ask(socket, event, PAYLOADS[event](s.id, transportId));
      expect(ack, event).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    // Another session's id with this credential: refused as well.
    const other = await newSession();
    expect(await ask(socket, 'transport:create', { sessionId: other.id, direction: 'send' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await ask(socket, 'invite:redeem', { sessionId: other.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    expect(await refusedCount()).toBeGreaterThanOrEqual(refusedBefore + refused.length + 4);
    expect(await metric('sightline_producers')).toBe(0);
    // Not a caller's token for REST either.
    expect((await http('GET', `${server.url}/api/sessions/${s.id}`, { token: pretap.token })).status).toBe(401);
    expect(await eventTypes(s.id)).toEqual(before);
    expect(before).not.toContain('consent_given');
    expect(await inviteValid(s.code)).toBe(true);

    // The tap over the same socket: consent logged, invite spent, and the same transport now produces.
    const redeemed = await ask(socket, 'invite:redeem', { sessionId: s.id });
    expect(redeemed).toMatchObject({ ok: true, data: { sessionId: s.id, role: 'caller', token: expect.any(String) } });
    expect(await eventTypes(s.id)).toContain('consent_given');
    expect(await inviteValid(s.code)).toBe(false);
    expect(await ask(socket, 'media:produce', PAYLOADS['media:produce'](s.id, transportId))).toMatchObject({ ok: true });
    expect(await metric('sightline_producers')).toBe(1);
    // Redeemed once: the credential's socket cannot redeem again, nor a second page's credential.
    expect(await ask(socket, 'invite:redeem', { sessionId: s.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await http('POST', `${server.url}/api/invites/${s.code}/redeem`)).status).toBe(410);
  });

  it('holds one pre-tap transport per invite: a newer page replaces the older one, and none is set up once the invite is spent', async () => {
    const s = await newSession();
    const first = await connect((await opened(s.code)).token);
    const second = await connect((await opened(s.code)).token);
    const pretapped = () => metric('sightline_pretap_transports', '{dtls="not_connected"}');
    const base = await pretapped();
    expect(await ask(first, 'transport:create', { sessionId: s.id, direction: 'send' })).toMatchObject({ ok: true });
    expect(await pretapped()).toBe(base + 1);
    expect(await ask(second, 'transport:create', { sessionId: s.id, direction: 'send' })).toMatchObject({ ok: true });
    expect(await pretapped()).toBe(base + 1);
    // The caller taps in another tab (HTTP): the pages left before the tap lose their sockets, and a page
    // still holding its credential sets nothing up.
    const late = (await opened(s.code)).token;
    const cut = new Promise((resolve) => first.once('disconnect', resolve));
    expect((await http('POST', `${server.url}/api/invites/${s.code}/redeem`)).status).toBe(200);
    await cut;
    // A credential minted before the tap, presented after it: nothing is left for it, its socket is refused.
    const refusedBefore = await metric('sightline_security_events_total', '{kind="socket_refused"}');
    await expect(connect(late)).rejects.toThrow();
    expect(await metric('sightline_security_events_total', '{kind="socket_refused"}')).toBe(refusedBefore + 1);
  });

  it("cannot crowd out the caller: pre-tap sockets (anyone may mint credentials with the link) hold neither the caller's socket slots nor its message budgets", async () => {
    const s = await newSession();
    // Someone holding the link (a second tab, a previewer that runs JS, an attacker) opens the most sockets it can.
    const held: Socket[] = [];
    for (let i = 0; i < 3; i++) held.push(await connect((await opened(s.code)).token));
    await expect(connect((await opened(s.code)).token)).rejects.toThrow();
    // ...and spends what it can of the budgets its messages are charged to.
    for (let i = 0; i < 60; i++) await ask(held[i % 3]!, 'transport:create', { sessionId: s.id, direction: 'recv' });
    // The caller taps (the old way): its socket is admitted, and it can set up its transport.
    const r = await http('POST', `${server.url}/api/invites/${s.code}/redeem`);
    expect(r.status).toBe(200);
    const caller = await connect(r.body.token);
    expect(await ask(caller, 'session:join', { sessionId: s.id })).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++)
      expect(await ask(caller, 'transport:create', { sessionId: s.id, direction: 'send' }), `transport ${i}`).toMatchObject({ ok: true });
  });

  it('is handed out at most 20 times a session in 10 minutes: past that the page gets 204 and taps the old way, counted as rate_limited, the invite still good', async () => {
    const { id, code } = await newSession();
    const limitedBefore = await metric('sightline_security_events_total', '{kind="rate_limited"}');
    const answers: number[] = [];
    for (let i = 0; i < 23; i++) {
      answers.push((await http('POST', `${server.url}/api/invites/${code}/opened`, { body: { browser: 'chrome' } })).status);
    }
    expect(answers.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(answers.slice(20)).toEqual([204, 204, 204]);
    expect(await metric('sightline_security_events_total', '{kind="rate_limited"}')).toBe(limitedBefore + 3);
    expect(await inviteValid(code)).toBe(true);
    const redeemed = await http('POST', `${server.url}/api/invites/${code}/redeem`);
    expect(redeemed.status).toBe(200);
    expect(redeemed.body.sessionId).toBe(id);
  });
});

describe('a page left before the tap', () => {
  it('loses its socket and transport when the dispatcher ends the session, and when the caller taps in another tab', async () => {
    for (const how of ['end', 'tap elsewhere'] as const) {
      const s = await newSession();
      const base = await metric('sightline_pretap_transports', '{dtls="not_connected"}');
      const page = await connect((await opened(s.code)).token);
      const gone = new Promise<string>((resolve) => page.once('disconnect', resolve));
      expect(await ask(page, 'transport:create', { sessionId: s.id, direction: 'send' })).toMatchObject({ ok: true });
      if (how === 'end') expect((await http('POST', `${server.url}/api/sessions/${s.id}/end`, { token, body: {} })).status).toBeLessThan(300);
      else {
        const r = await http('POST', `${server.url}/api/invites/${s.code}/redeem`);
        const tab = await connect(r.body.token);
        const t = await ask(tab, 'transport:create', { sessionId: s.id, direction: 'send' });
        expect(await ask(tab, 'media:produce', PAYLOADS['media:produce'](s.id, t.ok ? t.data.id : ''))).toMatchObject({ ok: true });
      }
      await waitFor(`pre-tap transport closed (${how})`, async () => (await metric('sightline_pretap_transports', '{dtls="not_connected"}')) === base, 10_000);
      // Its credential is of no use any more: the socket goes too (it held a slot for up to 10 minutes).
      await Promise.race([gone, new Promise((_, reject) => setTimeout(() => reject(new Error(`pre-tap socket still connected (${how})`)), 10_000))]);
    }
  });
});

describe('the caller page before and after the tap', () => {
  let dispatcher: Device;
  let caller: Device;
  let shared: TestServer;
  beforeAll(async () => {
    // A server of its own: the console must not pick up the sessions made above as the new one.
    shared = server;
    server = await startServer();
    token = await login(server);
    [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  });
  afterAll(async () => {
    await Promise.all([dispatcher?.close(), caller?.close()]);
    await server?.stop();
    server = shared;
  });

  /** A new session whose caller page is open and has its pre-tap transport connected on the server. */
  async function pageWaitingForTheTap(): Promise<{ sessionId: string; code: string; connectedBefore: number }> {
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
    const connectedBefore = await pretapConnected();
    await caller.page.goto(inviteUrl);
    await caller.page.waitForSelector(`${sel('start-video')}:not([disabled])`);
    await waitFor('pre-tap transport connected on the server', async () => (await pretapConnected()) === connectedBefore + 1, 20_000);
    return { sessionId, code: inviteUrl.split('/j/')[1]!, connectedBefore };
  }

  it('connects its send transport (DTLS up on the server) before the tap without spending the invite; the tap gives the console video, consent logged before any media', async () => {
    const { sessionId, code, connectedBefore } = await pageWaitingForTheTap();
    expect(await inviteValid(code)).toBe(true);
    const beforeTap = await eventTypes(sessionId);
    expect(beforeTap).toContain('link_opened');
    expect(beforeTap).not.toContain('consent_given');

    await caller.page.click(sel('start-video'));
    const c = card(dispatcher.page, sessionId);
    await c.waitStatus('live', 30_000);
    // This card's video (the console also shows the sessions of the tests above).
    await waitFor('frames on the console', async () => (await framesDecoded(dispatcher.page, sessionId)) > 10, 20_000);
    const types = await eventTypes(sessionId);
    expect(types.indexOf('consent_given')).toBeGreaterThan(-1);
    expect(types.indexOf('consent_given')).toBeLessThan(types.indexOf('media_started'));
    expect(types.indexOf('consent_given')).toBeLessThan(types.indexOf('live'));
    // The pre-tap transport became the caller's: none is left waiting.
    expect(await pretapConnected()).toBe(connectedBefore);
  });

  it("still goes live when another page on the same link (a second tab, anyone with the link) replaced this page's pre-tap transport before the tap", async () => {
    const { sessionId, code, connectedBefore } = await pageWaitingForTheTap();
    // The other page's transport closes this page's on the server; this page cannot tell yet.
    const other = await connect((await opened(code)).token);
    expect(await ask(other, 'transport:create', { sessionId, direction: 'send' })).toMatchObject({ ok: true });
    expect(await pretapConnected()).toBe(connectedBefore);

    await caller.page.click(sel('start-video'));
    await card(dispatcher.page, sessionId).waitStatus('live', 30_000);
    await waitFor('frames on the console', async () => (await framesDecoded(dispatcher.page, sessionId)) > 10, 20_000);
    other.disconnect();
  });
});
