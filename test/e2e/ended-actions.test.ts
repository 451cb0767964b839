import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilio, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #11 (Low): once a session has ended, its dispatcher can no longer act on it. Before, a
 * resend sent a real SMS with a dead link, and chat, control and viewer invites went through. Every
 * such action now answers 410 `gone` with reason `ended`; looking at the session, and ending it
 * again, still work.
 */
let fake: FakeTwilio;
let server: TestServer;
let token: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  fake = await startFakeTwilio();
  server = await startServer({ ...twilioEnv(fake), RECORDING_POLICY: 'on-demand' });
  token = await login(server);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.stop();
  await fake?.close();
});

async function connect(authToken: string): Promise<Socket> {
  const socket = io(server.url, { auth: { token: authToken }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

describe('an ended session', () => {
  it('refuses its dispatcher’s resend (no SMS goes out), viewer invite, spoken code, recording, chat and control with 410 ended', async () => {
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const socket = await connect(token);
    expect((await socket.emitWithAck('session:join', { sessionId: id })).ok).toBe(true);
    expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token })).status).toBe(200);
    const sent = fake.messages.length;
    const eventsAtEnd = (await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.events;

    const gone = { error: { code: 'gone', reason: 'ended' } };
    for (const [path, body] of [
      ['sms', undefined],
      ['viewers', {}],
      ['code', undefined],
      ['recording', { action: 'start' }],
    ] as const) {
      const r = await http('POST', `${server.url}/api/sessions/${id}/${path}`, { token, body });
      expect({ path, status: r.status }).toEqual({ path, status: 410 });
      expect(r.body, path).toMatchObject(gone);
    }
    expect(fake.messages, 'no SMS with a dead link').toHaveLength(sent);

    const chat = await socket.emitWithAck('chat:send', { sessionId: id, text: 'are you there?' });
    expect(chat).toMatchObject({ ok: false, ...gone });
    const control = await socket.emitWithAck('control:request', { sessionId: id, action: 'flip' });
    expect(control).toMatchObject({ ok: false, ...gone });

    // Looking, and ending again, still work; nothing was added to the log.
    const detail = await http('GET', `${server.url}/api/sessions/${id}`, { token });
    expect(detail.status).toBe(200);
    expect(detail.body.events).toEqual(eventsAtEnd);
    expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token })).status).toBe(200);
  });

  it('keeps the caller’s number only masked once the session has ended (the store holds no full number)', async () => {
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    const id = created.body.id as string;
    expect((await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.phone).toBe('+4791234567');
    expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token })).status).toBe(200);
    expect((await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.phone).toBe('+47*****567');
    const listed = (await http('GET', `${server.url}/api/sessions`, { token })).body.sessions.find((s: { id: string }) => s.id === id);
    expect(JSON.stringify(listed)).not.toContain('+4791234567');
  });
});
