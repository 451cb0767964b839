import type { Socket } from 'socket.io-client';
import { TestSockets } from '../support/sockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11 (Low): TURN credentials outlived their session (TURN_TTL_SECONDS, an hour, from each
 * transport). They now expire when the session must have ended (SESSION_MAX_MINUTES after it
 * began) if that is sooner, and an ended session gets none.
 */
const SESSION_MAX_MINUTES = 5;
let server: TestServer;
let token: string;
const sockets = new TestSockets();

beforeAll(async () => {
  server = await startServer({
    TURN_SECRET: 'turn-shared-secret-for-tests-0123456789',
    TURN_URLS: 'turn:turn.example.test:3478?transport=udp',
    TURN_TTL_SECONDS: '3600',
    SESSION_MAX_MINUTES: String(SESSION_MAX_MINUTES),
  });
  token = await login(server);
});

afterAll(async () => {
  sockets.closeAll();
  await server?.stop();
});

const connect = (authToken: string): Promise<Socket> => sockets.connect(server.url, authToken);

/** The expiry (unix seconds) in a TURN REST username `<expiry>:<label>`. */
const expiryOf = (iceServers: { username: string }[]) => Number(iceServers[0]!.username.split(':')[0]);

describe('TURN credentials', () => {
  it('expire with the session at the latest, and an ended session gets none', async () => {
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    const sessionId = created.body.id as string;
    const createdAt = Date.parse((await http('GET', `${server.url}/api/sessions/${sessionId}`, { token })).body.createdAt);
    const code = String(created.body.inviteUrl).split('/j/')[1]!;
    const caller = await connect((await http('POST', `${server.url}/api/invites/${code}/redeem`)).body.token);
    expect((await caller.emitWithAck('session:join', { sessionId })).ok).toBe(true);
    const send = await caller.emitWithAck('transport:create', { sessionId, direction: 'send' });
    expect(send.ok).toBe(true);
    const sessionEnd = Math.floor((createdAt + SESSION_MAX_MINUTES * 60_000) / 1000);
    expect(expiryOf(send.data.iceServers), 'not an hour from now').toBeLessThanOrEqual(sessionEnd);
    expect(expiryOf(send.data.iceServers)).toBeGreaterThan(Date.now() / 1000);

    const dispatcher = await connect(token);
    expect((await dispatcher.emitWithAck('session:join', { sessionId })).ok).toBe(true);
    expect((await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token })).status).toBe(200);
    const after = await dispatcher.emitWithAck('transport:create', { sessionId, direction: 'recv' });
    if (after.ok) expect(after.data.iceServers, 'no TURN for an ended session').toBeUndefined();
  });
});
