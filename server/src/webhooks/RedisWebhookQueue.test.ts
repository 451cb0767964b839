import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '@sightline/shared';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRedisServer, type RedisServer } from '../testing/redisServer.js';
import { RedisWebhookQueue } from './RedisWebhookQueue.js';
import type { Delivery } from './WebhookQueue.js';
import { WebhookLease } from './WebhookLease.js';
import { WebhookSender } from './WebhookSender.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const log = pino({ level: 'silent' });
let redis: RedisServer;
let receiver: Server;
let url: string;
/** Every request the receiver took: its webhook-id and the session and seq in its body. */
let seen: { id: string; sessionId: string; seq: number }[] = [];
let prefix: string;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as WebhookPayload;
      seen.push({ id: String(req.headers['webhook-id']), sessionId: body.data.sessionId, seq: body.data.seq });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await redis?.stop();
});
beforeEach(() => {
  seen = [];
  // A fresh key prefix per case keeps them independent on one server.
  prefix = `t${randomUUID().slice(0, 8)}:`;
});
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function queue(): Promise<RedisWebhookQueue> {
  const q = await RedisWebhookQueue.connect(redis.url, prefix);
  opened.push(q);
  return q;
}
const delivery = (sessionId: string, seq: number, over: Partial<Delivery> = {}): Delivery => ({
  key: `${sessionId}.${String(seq).padStart(9, '0')}.0`,
  id: `msg_${sessionId}_${seq}`,
  url,
  sessionId,
  body: JSON.stringify({ type: 'session.status_changed', timestamp: new Date().toISOString(), data: { sessionId, seq } }),
  queuedAt: Date.now(),
  attempts: 0,
  nextAt: Date.now(),
  ...over,
});
const event = (sessionId: string, seq: number): WebhookPayload => ({
  type: 'session.status_changed',
  timestamp: new Date().toISOString(),
  data: { sessionId, seq, status: 'sms_sent' },
});

describe('RedisWebhookQueue (real redis-server)', () => {
  it('keeps deliveries in a stream: a put of a waiting key updates it, remove and bury take it out, dead letters kept', async () => {
    const q = await queue();
    await q.put(delivery('s2', 1));
    await q.put(delivery('s1', 2));
    await q.put(delivery('s1', 1));
    await q.put(delivery('s1', 2, { attempts: 3, lastError: 'http_503' }));
    const loaded = await q.load();
    expect(loaded.map((d) => d.key)).toEqual(['s1.000000001.0', 's1.000000002.0', 's2.000000001.0']);
    expect(loaded[1]).toMatchObject({ attempts: 3, lastError: 'http_503' });
    await q.remove('s1.000000001.0');
    await q.bury({ ...loaded[1]!, attempts: 9 });
    expect((await q.load()).map((d) => d.key)).toEqual(['s2.000000001.0']);
    expect(await q.deadLetters()).toMatchObject([{ key: 's1.000000002.0', attempts: 9 }]);
    // A second node sees the same queue.
    expect((await (await queue()).load()).map((d) => d.key)).toEqual(['s2.000000001.0']);
  });

  it('never brings back a tried delivery that is gone (delivered or buried meanwhile, maybe by another node)', async () => {
    const q = await queue();
    await q.put(delivery('s1', 1));
    await q.remove('s1.000000001.0');
    // A node that lost the lease while its try was out records the failure after the holder delivered it.
    await q.put(delivery('s1', 1, { attempts: 1, lastError: 'network' }));
    expect(await q.load()).toEqual([]);
    // A new delivery (never tried) is queued as ever.
    await q.put(delivery('s1', 2));
    expect((await q.load()).map((d) => d.key)).toEqual(['s1.000000002.0']);
  });

  it('raises cursors only, agrees on one `since`, and lists and drops cursors', async () => {
    const [a, b] = [await queue(), await queue()];
    await a.setCursor('s1', 5);
    await b.setCursor('s1', 3);
    expect(await a.cursor('s1')).toBe(5);
    expect(await b.since()).toBe(await a.since());
    await b.setCursor('s2', 1);
    expect((await a.cursors()).sort()).toEqual(['s1', 's2']);
    await a.dropCursor('s2');
    expect(await b.cursors()).toEqual(['s1']);
  });

  it('a node that loses the lease while its try is out leaves the retry state to the new holder', async () => {
    const q = await queue();
    // The receiver answers only after this node has stepped down, with a failure.
    let release!: () => void;
    const slow = createServer((_req, res) => void new Promise<void>((r) => (release = r)).then(() => res.writeHead(503).end()));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
    const sender = new WebhookSender(q, { urls: [slowUrl], secret: SECRET, retryBaseMs: 50, deadAfterMs: 60_000, sharedHoldMs: 0 }, log);
    sender.takeOver([]);
    await sender.enqueue(event('s9', 1));
    sender.take(await q.added());
    await vi.waitFor(() => expect(release).toBeDefined());
    sender.stepDown();
    release();
    await new Promise((r) => setTimeout(r, 200));
    expect(await q.load(), 'as queued: the new holder tries it with its own count').toMatchObject([{ key: 's9.000000001.0', attempts: 0 }]);
    expect(sender.waiting).toBe(0);
    sender.close();
    await new Promise<void>((r) => slow.close(() => r()));
  });

  it('one node sends at a time; what another node queues is sent in order, and a second node takes over when the first goes', async () => {
    const opts = { urls: [url], secret: SECRET, retryBaseMs: 50, deadAfterMs: 60_000, sharedHoldMs: 300 };
    const nodes = await Promise.all(
      ['node-a', 'node-b'].map(async (name) => {
        const q = await queue();
        const sender = new WebhookSender(q, opts, log);
        const lease = new WebhookLease(q, sender, name, log, { leaseMs: 1_000, tickMs: 100 });
        await lease.start();
        return { name, sender, lease };
      }),
    );
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    expect([a.sender.leading, b.sender.leading]).toEqual([true, false]);
    // Node b queues (it does not send); node a picks it up from the stream and sends.
    for (let seq = 1; seq <= 5; seq++) await b.sender.enqueue(event('s1', seq));
    await vi.waitFor(() => expect(seen.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5]), { timeout: 5_000 });
    expect(b.sender.waiting).toBe(0);
    // The sending node queues a session's later event a moment before another node queues its earlier
    // ones (a REST call on one node, the SMS callback on the other): they still go out in log order.
    await a.sender.enqueue(event('s2', 3));
    await new Promise((r) => setTimeout(r, 50));
    await b.sender.enqueue(event('s2', 1));
    await b.sender.enqueue(event('s2', 2));
    await vi.waitFor(() => expect(seen.filter((s) => s.sessionId === 's2').map((s) => s.seq)).toEqual([1, 2, 3]), { timeout: 5_000 });
    // Node a leaves (a clean shutdown gives the lease up): node b sends what a queued after.
    await a.sender.enqueue(event('s1', 6));
    a.sender.close();
    await a.lease.close();
    await a.sender.enqueue(event('s1', 7)).catch(() => undefined);
    await b.sender.enqueue(event('s1', 8));
    await vi.waitFor(() => expect(b.sender.leading).toBe(true), { timeout: 5_000 });
    await vi.waitFor(
      () =>
        expect(
          seen
            .filter((s) => s.sessionId === 's1')
            .map((s) => s.seq)
            .slice(5),
        ).toEqual([6, 8]),
      { timeout: 5_000 },
    );
    // Every delivery once: no webhook-id twice.
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    b.sender.close();
    await b.lease.close();
  });
});
