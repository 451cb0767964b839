import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * The invite is a one-time credential, and a caller's token opens exactly one session. Run against
 * both stores: the default in-memory one and a real redis-server.
 */
describe.each(['memory', 'redis'] as const)('with the %s store', (storeKind) => {
  let server: TestServer;
  let redis: RedisServer | undefined;
  let token: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    if (storeKind === 'redis') redis = await startRedisServer();
    const turn = { TURN_SECRET: 'turn-shared-secret-for-tests-0123456789', TURN_URLS: 'turn:turn.example.test:3478?transport=udp' };
    server = await startServer(redis ? { ...turn, REDIS_URL: redis.url } : turn);
    token = await login(server);
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server?.stop();
    await redis?.stop();
  });

  async function newSession(): Promise<{ id: string; code: string; inviteUrl: string }> {
    const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+47 912 34 567', incidentRef: 'INC-7' } });
    expect(r.status).toBe(201);
    return { id: r.body.id, inviteUrl: r.body.inviteUrl, code: String(r.body.inviteUrl).split('/j/')[1]! };
  }

  function connect(authToken: string): Promise<Socket> {
    const socket = io(server.url, { auth: { token: authToken }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  describe('operations', () => {
    it('answers /healthz and Prometheus /metrics on loopback, with strict headers on pages', async () => {
      const health = await http('GET', `${server.url}/healthz`);
      expect(health).toEqual({ status: 200, body: { status: 'ok' } });
      await newSession();
      const metrics = await fetch(`${server.url}/metrics`);
      const text = await metrics.text();
      expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
      expect(text).toMatch(/sightline_mediasoup_workers 1/);
      expect(text).toMatch(/sightline_sessions\{status="sms_sent"\} [1-9]/);
      const page = await fetch(`${server.url}/console`);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('access-control-allow-origin')).toBeNull();
      expect(page.headers.get('strict-transport-security')).toBeNull();
      expect(await page.text()).not.toMatch(/<script(?![^>]*src=)[^>]*>/);
    });
  });

  describe('invites', () => {
    it('serves the caller page on GET without using the invite', async () => {
      const s = await newSession();
      for (let i = 0; i < 3; i++) {
        const page = await fetch(`${server.url}/j/${s.code}`);
        expect(page.status).toBe(200);
        expect(page.headers.get('cache-control')).toBe('no-store');
        expect(await page.text()).toContain('data-testid="start-video"');
      }
      // Nor does it record an opening: only the page's own script does (test/e2e/link-opened.test.ts).
      const detail = await http('GET', `${server.url}/api/sessions/${s.id}`, { token });
      expect(detail.body.status).toBe('sms_sent');

      const first = await http('POST', `${server.url}/api/invites/${s.code}/redeem`);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ sessionId: s.id, role: 'caller' });
      expect(typeof first.body.token).toBe('string');
    });

    it('answers 410 to a second redeem, and to a redeem after the session ended', async () => {
      const s = await newSession();
      expect((await http('POST', `${server.url}/api/invites/${s.code}/redeem`)).status).toBe(200);
      const again = await http('POST', `${server.url}/api/invites/${s.code}/redeem`);
      expect(again.status).toBe(410);
      expect(again.body.error.code).toBe('gone');

      const ended = await newSession();
      expect((await http('POST', `${server.url}/api/sessions/${ended.id}/end`, { token })).status).toBe(200);
      expect((await http('POST', `${server.url}/api/invites/${ended.code}/redeem`)).status).toBe(410);
      expect((await http('POST', `${server.url}/api/invites/${'x'.repeat(22)}/redeem`)).status).toBe(404);
    });

    it('refuses a bad phone number with a clear 400', async () => {
      const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '12345' } });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
      // The rule it broke (shared/src/phone.ts): a number without a country code.
      expect(r.body.error.message).toMatch(/start with \+ and the country code/);
    });

    it('binds a caller token to its own session for media', async () => {
      const mine = await newSession();
      const other = await newSession();
      const callerToken = (await http('POST', `${server.url}/api/invites/${mine.code}/redeem`)).body.token as string;
      const socket = await connect(callerToken);

      const ownTransport = await socket.emitWithAck('transport:create', { sessionId: mine.id, direction: 'send' });
      expect(ownTransport.ok).toBe(true);
      // TURN is configured: the transport comes with time-limited credentials for this session.
      expect(ownTransport.data.iceServers[0]).toMatchObject({
        urls: ['turn:turn.example.test:3478?transport=udp'],
        username: expect.stringMatching(new RegExp(`^\\d+:${mine.id}$`)),
      });

      for (const [event, payload] of [
        ['session:join', { sessionId: other.id }],
        ['transport:create', { sessionId: other.id, direction: 'send' }],
        [
          'media:produce',
          {
            sessionId: other.id,
            transportId: ownTransport.data.id,
            kind: 'video',
            rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }] },
          },
        ],
        ['media:consume', { sessionId: other.id, transportId: ownTransport.data.id, producerId: 'p1', rtpCapabilities: {} }],
      ] as const) {
        const ack = await socket.emitWithAck(event, payload);
        expect(ack, event).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
      // Nor may a caller consume in its own session (it publishes; staff and viewers watch).
      const consume = await socket.emitWithAck('media:consume', {
        sessionId: mine.id,
        transportId: ownTransport.data.id,
        producerId: 'p1',
        rtpCapabilities: {},
      });
      expect(consume).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      // The connection survives all of it.
      expect(socket.connected).toBe(true);
    });

    it('rejects malformed socket messages with an error ack and keeps the connection', async () => {
      const socket = await connect(token);
      const bad = await socket.emitWithAck('transport:create', { sessionId: 'nope', direction: 'sideways' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      const worse = await socket.emitWithAck('media:resume', 'not an object');
      expect(worse).toMatchObject({ ok: false, error: { code: 'bad_request' } });
      expect(socket.connected).toBe(true);
    });

    it('refuses sockets without a valid token', async () => {
      await expect(connect('not-a-token')).rejects.toThrow(/invalid or expired token/);
    });
  });
});
