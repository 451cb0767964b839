import { randomUUID } from 'node:crypto';
import type { RequestName } from '@sightline/shared';
import type { Socket } from 'socket.io-client';
import { TestSockets } from '../support/sockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilio, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { SOCKET } from '../support/authzMatrix.js';
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
const sockets = new TestSockets();

beforeAll(async () => {
  fake = await startFakeTwilio();
  server = await startServer({ ...twilioEnv(fake), RECORDING_POLICY: 'on-demand' });
  token = await login(server);
});

afterAll(async () => {
  sockets.closeAll();
  await server?.stop();
  await fake?.close();
});

const connect = (authToken: string): Promise<Socket> => sockets.connect(server.url, authToken);

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

/** Open session routers (rooms) on the node, from /metrics. */
async function rooms(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^sightline_rooms (\S+)$/m.exec(text)?.[1]);
}

/** Every message that reaches a session's media, with a payload the gate accepts (the ids are made up: the refusal comes first). */
function mediaMessages(sessionId: string): [RequestName, unknown][] {
  const opus = { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }] };
  const caps = { codecs: [{ kind: 'video', mimeType: 'video/VP8' }] };
  return [
    ['transport:create', { sessionId, direction: 'recv' }],
    ['transport:create', { sessionId, direction: 'send' }],
    [
      'transport:connect',
      { sessionId, transportId: randomUUID(), dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] } },
    ],
    ['transport:restart-ice', { sessionId, transportId: randomUUID() }],
    ['transport:close', { sessionId, transportId: randomUUID() }],
    ['media:produce', { sessionId, transportId: randomUUID(), kind: 'audio', source: 'microphone', rtpParameters: opus }],
    ['media:consume', { sessionId, transportId: randomUUID(), producerId: randomUUID(), rtpCapabilities: caps }],
    ['media:resume', { sessionId, consumerId: randomUUID() }],
    ['media:key-frame', { sessionId, consumerId: randomUUID() }],
    ['media:first-frame', { sessionId, producerId: randomUUID() }],
  ];
}

describe('the media of an ended session', () => {
  it('opens for nobody: staff may join for the timeline, but every media message answers 410 ended and no room is made', async () => {
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    const id = created.body.id as string;
    const inviteCode = String((await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.inviteUrl).split('/j/')[1];
    const viewerUrl = String((await http('POST', `${server.url}/api/sessions/${id}/viewers`, { token, body: {} })).body.inviteUrl);
    const tokens = {
      dispatcher: token,
      supervisor: await login(server, 'supervisor'),
      caller: (await http('POST', `${server.url}/api/invites/${inviteCode}/redeem`, {})).body.token as string,
      viewer: (await http('POST', `${server.url}/api/invites/${viewerUrl.split('/j/')[1]}/redeem`, {})).body.token as string,
    };
    expect(Object.values(tokens).every(Boolean), JSON.stringify(tokens)).toBe(true);
    expect((await http('POST', `${server.url}/api/sessions/${id}/end`, { token })).status).toBe(200);
    const roomsAtEnd = await rooms();

    const wrong: string[] = [];
    for (const [who, t] of Object.entries(tokens) as [keyof typeof tokens, string][]) {
      const socket = await connect(t);
      const join = await socket.emitWithAck('session:join', { sessionId: id });
      // Staff look at the timeline; a caller or viewer is done with the session.
      if (who === 'dispatcher' || who === 'supervisor') {
        if (!join.ok || join.data.status !== 'ended' || join.data.producers.length !== 0)
          wrong.push(`${who} session:join: ${JSON.stringify(join).slice(0, 200)}`);
      } else if (join.ok || join.error.reason !== 'ended') wrong.push(`${who} session:join: ${JSON.stringify(join)}`);
      for (const [event, payload] of mediaMessages(id)) {
        const ack = await socket.emitWithAck(event as never, payload as never);
        // A message the role may send is refused as ended; one it may never send stays forbidden.
        const want = SOCKET[event].includes(who) ? 'gone/ended' : 'forbidden';
        const got = ack.ok ? 'ok' : `${ack.error.code}${ack.error.reason ? `/${ack.error.reason}` : ''}`;
        if (got !== want) wrong.push(`${who} ${event}: got ${got}, want ${want}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await rooms(), 'no room was opened for the ended session').toBe(roomsAtEnd);
  });
});
