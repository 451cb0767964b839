import { randomBytes } from 'node:crypto';
import type { Ack } from '@sightline/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { VP8 } from '../support/authzRun.js';
import { waitFor } from '../support/browser.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * /metrics says what README "Operations" lists, and its figures move with what happens: a
 * session's events and SMS, its room on a worker, the caller's producer and the console's consumer
 * (made over the real signalling, so real mediasoup objects), and Redis errors when Redis goes away.
 */
let redis: RedisServer;
let server: TestServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  server = await startServer({ REDIS_URL: redis.url, JWT_SECRET: randomBytes(32).toString('hex') });
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.stop();
  await redis?.stop();
});

/** Samples by `name{labels}` (labels as printed), from the Prometheus text format. */
async function scrape(): Promise<{ text: string; value: (series: string) => number | undefined }> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) samples.set(m[1]!, Number(m[2]));
  }
  return { text, value: (series) => samples.get(series) };
}

async function connect(token: string): Promise<Socket> {
  const s = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

async function must<T = any>(s: Socket, name: string, payload: unknown): Promise<T> {
  const ack = (await s.timeout(10_000).emitWithAck(name, payload)) as Ack<T>;
  if (!ack.ok) throw new Error(`${name}: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

describe('GET /metrics', () => {
  it('has every metric family listed under Operations in the README', async () => {
    const { text } = await scrape();
    const families = [
      'sightline_sessions', // sessions by status
      'sightline_session_events_total',
      'sightline_join_seconds',
      'sightline_reconnects_total',
      'sightline_sms_total',
      'sightline_recordings_total',
      'sightline_mediasoup_workers',
      'sightline_worker_rooms',
      'sightline_producers',
      'sightline_consumers',
      'sightline_redis_errors_total',
      'sightline_process_cpu_user_seconds_total', // process figures
      'sightline_process_resident_memory_bytes',
      'sightline_nodejs_eventloop_lag_seconds',
    ];
    const missing = families.filter((f) => !text.includes(`# TYPE ${f} `));
    expect(missing).toEqual([]);
  });

  it("counts a session's events and SMS, its room on a worker, the producer and consumer of its media, and its recording", async () => {
    const before = await scrape();
    const token = await login(server);
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-METRICS' } });
    expect(created.status).toBe(201);
    const sessionId = created.body.id as string;
    const code = String(created.body.inviteUrl).split('/j/')[1]!;
    const callerToken = (await http('POST', `${server.url}/api/invites/${code}/redeem`)).body.token as string;

    const after = await scrape();
    const created1 =
      (after.value('sightline_session_events_total{type="created"}') ?? 0) - (before.value('sightline_session_events_total{type="created"}') ?? 0);
    expect(created1).toBe(1);
    expect((after.value('sightline_sms_total{outcome="sent"}') ?? 0) - (before.value('sightline_sms_total{outcome="sent"}') ?? 0)).toBe(1);
    expect(after.value('sightline_sessions{status="consent_given"}')).toBe(1);
    expect(after.value('sightline_mediasoup_workers')).toBe(1);

    const caller = await connect(callerToken);
    const dispatcher = await connect(token);
    const joined = await must(caller, 'session:join', { sessionId });
    await must(dispatcher, 'session:join', { sessionId });
    const send = await must(caller, 'transport:create', { sessionId, direction: 'send' });
    const { producerId } = await must(caller, 'media:produce', { sessionId, transportId: send.id, kind: 'video', rtpParameters: VP8(33_333_333) });
    const recv = await must(dispatcher, 'transport:create', { sessionId, direction: 'recv' });
    await must(dispatcher, 'media:consume', { sessionId, transportId: recv.id, producerId, rtpCapabilities: joined.routerRtpCapabilities });

    // Against the figures before: the process keeps one router of its own (the capabilities template).
    const live = await scrape();
    const rooms = before.value('sightline_rooms') ?? 0;
    const onWorker = before.value('sightline_worker_rooms{worker="0"}') ?? 0;
    expect(live.value('sightline_rooms')).toBe(rooms + 1);
    expect(live.value('sightline_worker_rooms{worker="0"}')).toBe(onWorker + 1);
    expect(live.value('sightline_producers')).toBe(1);
    expect(live.value('sightline_consumers')).toBe(1);

    // A recording started and stopped by the dispatcher: its segment's outcomes are counted.
    const rec = (action: string) => http('POST', `${server.url}/api/sessions/${sessionId}/recording`, { token, body: { action } });
    const startedBefore = before.value('sightline_recordings_total{outcome="started"}') ?? 0;
    expect((await rec('start')).status).toBe(200);
    expect((await rec('stop')).status).toBe(200);
    // No RTP flows here (the transports never complete DTLS), so the segment ends as a failure: counted as
    // one. It never held media, so it never counted as started (a recording starts when its first key
    // frame is on disk, issue #14).
    await waitFor('recording_failed counted', async () => ((await scrape()).value('sightline_recordings_total{outcome="failed"}') ?? 0) === 1);
    expect((await scrape()).value('sightline_recordings_total{outcome="started"}') ?? 0).toBe(startedBefore);

    expect((await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token })).status).toBe(200);
    await waitFor('media closed with the session', async () => {
      const ended = await scrape();
      return ended.value('sightline_producers') === 0 && ended.value('sightline_consumers') === 0 && ended.value('sightline_rooms') === rooms;
    });
    const ended = await scrape();
    expect(ended.value('sightline_worker_rooms{worker="0"}')).toBe(onWorker);
    expect(ended.value('sightline_sessions{status="consent_given"}')).toBe(0);
    expect(ended.value('sightline_session_events_total{type="ended"}')).toBeGreaterThanOrEqual(1);
  });

  it('counts Redis errors when Redis goes away', async () => {
    expect((await scrape()).value('sightline_redis_errors_total')).toBe(0);
    await redis.stop();
    await waitFor('a Redis error counted', async () => ((await scrape()).value('sightline_redis_errors_total') ?? 0) > 0, 20_000, 200);
  });
});
