import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { waitFor } from '../support/browser.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Two nodes sharing one Redis (and one data volume): what happens to a session on one node reaches
 * its sockets on the other (socket.io Redis Streams adapter), with one log and one numbering.
 * Media placement and takeover: node-failover.test.ts.
 */
let redis: RedisServer;
let a: TestServer;
let b: TestServer;
let dataDir: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-two-nodes-'));
  const shared = { REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString('hex'), DATA_DIR: dataDir };
  a = await startServer(shared);
  b = await startServer(shared);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('two nodes, one Redis', () => {
  it('pushes a session event made on node A to a console socket on node B, once, in order', async () => {
    const token = await login(a);
    const created = await http('POST', `${a.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-2N' } });
    expect(created.status).toBe(201);
    const sessionId = created.body.id as string;

    // The same staff token works on node B (shared secret), and B sees the session (shared store).
    const socket = io(b.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const joined = await socket.emitWithAck('session:join', { sessionId });
    expect(joined).toMatchObject({ ok: true, data: { sessionId, status: 'sms_sent' } });

    const seen: { type: string; seq: number }[] = [];
    socket.on('session:event', ({ event }) => seen.push({ type: event.type, seq: event.seq }));
    // Actions on node A: a resend, and a spoken code.
    expect((await http('POST', `${a.url}/api/sessions/${sessionId}/sms`, { token })).status).toBe(202);
    expect((await http('POST', `${a.url}/api/sessions/${sessionId}/code`, { token })).status).toBe(201);
    await waitFor('two events on node B', async () => seen.length >= 2, 10_000);
    expect(seen.map((e) => e.type)).toEqual(['sms_resend', 'code_issued']);
    expect(seen[1]!.seq).toBe(seen[0]!.seq + 1);

    // A Redis blip: every node's connections dropped. An event made on A right then still reaches
    // B's socket once, as the Streams adapter reads on from where it was.
    const dropped = execFileSync('redis-cli', ['-p', String(redis.port), 'CLIENT', 'KILL', 'TYPE', 'normal'], { encoding: 'utf8' });
    expect(Number(dropped)).toBeGreaterThan(0);
    expect((await http('POST', `${a.url}/api/sessions/${sessionId}/sms`, { token })).status).toBe(202);
    // "Once": a marker action after it; the stream is ordered, so when the marker has arrived any
    // second copy of the resend would have too.
    expect((await http('POST', `${a.url}/api/sessions/${sessionId}/code`, { token })).status).toBe(201);
    await waitFor('the marker event on node B', async () => seen.slice(2).some((e) => e.type === 'code_issued'), 10_000);
    expect(seen.map((e) => e.type)).toEqual(['sms_resend', 'code_issued', 'sms_resend', 'code_issued']);

    // Node B's view of the log is the same log.
    const detail = await http('GET', `${b.url}/api/sessions/${sessionId}`, { token });
    const seqs = detail.body.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
    expect(detail.body.events.slice(-4).map((e: { type: string }) => e.type)).toEqual(['sms_resend', 'code_issued', 'sms_resend', 'code_issued']);
  });

  it("sets up the caller's pre-tap transport and redeems over a socket on either node, whichever carries the media (issue #12)", async () => {
    const token = await login(a);
    // Two sessions, the caller's socket on each node: at least one lands on the node that does not carry the media.
    for (const node of [a, b, b, a]) {
      const created = await http('POST', `${a.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
      const sessionId = created.body.id as string;
      const code = String(created.body.inviteUrl).split('/j/')[1]!;
      const opened = await http('POST', `${node.url}/api/invites/${code}/opened`, { body: { browser: 'chrome' } });
      expect(opened.status).toBe(200);
      const socket = io(node.url, { auth: { token: opened.body.pretap.token }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const send = await socket.emitWithAck('transport:create', { sessionId, direction: 'send' });
      expect(send).toMatchObject({ ok: true });
      const transportId = (send as { data: { id: string } }).data.id;
      const rtpParameters = {
        mid: '0',
        codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
        headerExtensions: [],
        encodings: [{ ssrc: 55_555 }],
        rtcp: { cname: 'pretap', reducedSize: true },
      };
      const produce = () => socket.emitWithAck('media:produce', { sessionId, transportId, kind: 'video', rtpParameters, source: 'camera' });
      expect(await produce()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await socket.emitWithAck('invite:redeem', { sessionId })).toMatchObject({ ok: true, data: { sessionId, role: 'caller' } });
      expect(await produce()).toMatchObject({ ok: true });
      socket.disconnect();
    }
  });
});
