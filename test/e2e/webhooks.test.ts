import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { WebhookPayload } from '@sightline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { waitFor } from '../support/browser.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #16 §2, its test: a local receiver refuses the first three attempts at each event, and the
 * server is restarted (SIGKILL, a crash) while deliveries wait. Every event arrives, each with a
 * valid Standard Webhooks signature (checked with the `standardwebhooks` package), with no
 * duplicates beyond retries of the same `webhook-id`, in order per session; nothing personal in them.
 */
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
let receiver: WebhookReceiver;
let receiverUrl: string;
let dataDir: string;
let server: TestServer | undefined;
let nodeA: TestServer | undefined;
let nodeB: TestServer | undefined;
let redis: RedisServer | undefined;
let redisDataDir: string | undefined;
/** Every attempt, in arrival order: its id, whether it verified, the body. */
const attempts: { id: string; verified: boolean; body: WebhookPayload; at: number }[] = [];
const refusedSoFar = new Map<string, number>();

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET, (hook) => {
    attempts.push({ id: hook.id, verified: hook.verified, body: JSON.parse(hook.raw) as WebhookPayload, at: hook.at });
    const refused = refusedSoFar.get(hook.id) ?? 0;
    if (refused >= 3) return 204;
    // The first three attempts at each event fail: a 503, then a dropped connection, then a 500.
    refusedSoFar.set(hook.id, refused + 1);
    return refused === 0 ? 503 : refused === 1 ? 'drop' : 500;
  });
  receiverUrl = receiver.url('/hooks');
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-webhooks-'));
});

afterAll(async () => {
  await Promise.all([server?.stop(), nodeA?.stop(), nodeB?.stop()]);
  await redis?.stop();
  await receiver?.close();
  await rm(dataDir, { recursive: true, force: true });
  if (redisDataDir) await rm(redisDataDir, { recursive: true, force: true });
});

describe('webhooks', () => {
  it('delivers every event at least once, signed, in order per session, across refusals and a crash', async () => {
    const env = { DATA_DIR: dataDir, PORT: String(await freePort()), WEBHOOK_URLS: receiverUrl, WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_BASE_SECONDS: '0.4' };
    server = await startServer(env);
    let token = await login(server);
    const ids: string[] = [];
    for (const incidentRef of ['CAD-WH-1', 'CAD-WH-2']) {
      const made = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef } });
      ids.push(made.body.id as string);
    }
    await http('POST', `${server.url}/api/sessions/${ids[0]}/end`, { token });
    // Something has been refused by now; the server crashes with deliveries waiting.
    await waitFor('a refused attempt', async () => attempts.length > 0, 10_000);
    process.kill(server.pid, 'SIGKILL');
    await server.stop();
    server = await startServer(env);
    token = await login(server);

    const figures = await expectEveryEventDelivered(server, token, ids, ['dispatcher', 'server_restart']);
    console.log(
      `webhooks: ${figures.events} events delivered in ${figures.attempts} attempts (each refused 3 times first: ${figures.retriedEach}), across a SIGKILL restart`,
    );
    // A delivery queued again after the crash (same webhook-id) may still be on its way.
    const metrics = await waitFor('the queue empty', async () => {
      const text = await (await fetch(`${server!.url}/metrics`)).text();
      return /^sightline_webhook_queue_length 0$/m.test(text) && text;
    });
    expect(metrics).toMatch(/sightline_webhook_failures_total\{reason="http_503"\} [1-9]/);
  });

  it('Redis mode: the queue is a Redis stream the nodes share; when the sending node dies, another sends the rest', async () => {
    await server?.stop();
    server = undefined;
    attempts.length = 0;
    refusedSoFar.clear();
    redis = await startRedisServer();
    redisDataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-webhooks-redis-'));
    const shared = {
      REDIS_URL: redis.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: redisDataDir,
      WEBHOOK_URLS: receiverUrl,
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_RETRY_BASE_SECONDS: '0.4',
    };
    // Node a starts first and takes the sending lease; node b only queues while a lives.
    nodeA = await startServer({ ...shared, PORT: String(await freePort()), NODE_ID: 'node-a' });
    nodeB = await startServer({ ...shared, PORT: String(await freePort()), NODE_ID: 'node-b' });
    const token = await login(nodeB);
    const ids: string[] = [];
    for (const incidentRef of ['CAD-WH-3', 'CAD-WH-4']) {
      const made = await http('POST', `${nodeB.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef } });
      ids.push(made.body.id as string);
    }
    await http('POST', `${nodeA.url}/api/sessions/${ids[0]}/end`, { token });
    await waitFor('a refused attempt', async () => attempts.length > 0, 10_000);
    const killedAt = Date.now();
    process.kill(nodeA.pid, 'SIGKILL');
    await nodeA.stop();
    const before = attempts.length;
    const figures = await expectEveryEventDelivered(nodeB, token, ids, ['dispatcher']);
    const byB = attempts.slice(before);
    console.log(
      `webhooks (Redis, two nodes): ${figures.events} events delivered in ${figures.attempts} attempts; node b sent ${byB.length} after node a was killed, the first ${byB.length ? ((byB[0]!.at - killedAt) / 1000).toFixed(1) : '-'} s after`,
    );
    expect(byB.length, 'node b took over the sending').toBeGreaterThan(0);
    await waitFor("node b's queue empty", async () => /^sightline_webhook_queue_length 0$/m.test(await (await fetch(`${nodeB!.url}/metrics`)).text()));
  });
});

/**
 * What the logs (read through `server`) say should have gone out for `ids`, against what the receiver
 * took: every event, verified, one webhook-id per event, in log order per session, nothing personal.
 * Returns how many events were delivered and in how many attempts.
 */
async function expectEveryEventDelivered(server: TestServer, token: string, ids: string[], endReasons: string[]) {
  // What the session logs say should have gone out (the restart ended the session still going: server_restart).
  const expected = new Map<string, string[]>();
  for (const id of ids) {
    const events = (await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.events as { type: string }[];
    expected.set(
      id,
      events.map((e) => e.type).filter((t) => ['created', 'sms_sent', 'sms_delivered', 'sms_failed', 'ended'].includes(t)),
    );
  }
  const delivered = () => {
    const ok = new Map<string, WebhookPayload>();
    for (const a of attempts) if ((refusedSoFar.get(a.id) ?? 0) >= 3) ok.set(a.id, a.body);
    return [...ok.values()];
  };
  const wanted = [...expected.values()].flat().length;
  await waitFor(`all ${wanted} events delivered`, async () => delivered().length >= wanted && attempts.every((a) => a.verified), 60_000, 200);

  expect(
    attempts.every((a) => a.verified),
    'every attempt carries a valid signature',
  ).toBe(true);
  // No duplicates beyond retries of the same id: one (sessionId, seq) per webhook-id.
  const byEvent = new Map<string, Set<string>>();
  for (const a of attempts)
    byEvent.set(`${a.body.data.sessionId}#${a.body.data.seq}`, (byEvent.get(`${a.body.data.sessionId}#${a.body.data.seq}`) ?? new Set()).add(a.id));
  for (const [event, idsOf] of byEvent) expect(idsOf.size, `${event}: one webhook-id`).toBe(1);
  for (const id of ids) {
    const mine = delivered().filter((p) => p.data.sessionId === id);
    const seqs = mine.map((p) => p.data.seq);
    expect(seqs, 'in order per session').toEqual([...seqs].sort((a, b) => a - b));
    const kinds = mine.map((p) => (p.type === 'session.status_changed' ? p.data.status : p.type === 'session.created' ? 'created' : 'ended'));
    expect(kinds).toEqual(expected.get(id));
    expect(mine[0]!.data.incidentRef).toMatch(/^CAD-WH-/);
  }
  const text = JSON.stringify(attempts);
  expect(text, 'no phone number').not.toMatch(/4791234567|912 ?34 ?567/);
  expect(text, 'no token').not.toContain(token);
  const ends = delivered().filter((p) => p.type === 'session.ended');
  expect(ends.map((p) => p.data.reason).sort()).toEqual(endReasons);
  return { events: delivered().length, attempts: attempts.length, retriedEach: [...refusedSoFar.values()].every((n) => n === 3) };
}
