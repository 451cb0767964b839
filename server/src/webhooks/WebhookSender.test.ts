import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { WebhookPayload } from '@sightline/shared';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileWebhookQueue, type Delivery } from './WebhookQueue.js';
import { WebhookSender } from './WebhookSender.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const log = pino({ level: 'silent' });
let dir: string;
let receiver: Server;
let url: string;
/** What the receiver answers, per attempt; every request is kept. */
let answer: (n: number) => number = () => 204;
let seen: { id: string; body: WebhookPayload; headers: Record<string, string> }[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-webhook-unit-'));
  seen = [];
  answer = () => 204;
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(req.headers[h])]));
      seen.push({ id: headers['webhook-id']!, body: JSON.parse(raw) as WebhookPayload, headers: { ...headers, raw } });
      res.writeHead(answer(seen.length)).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
});

afterEach(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

const event = (sessionId: string, seq: number): WebhookPayload => ({
  type: seq === 1 ? 'session.created' : 'session.status_changed',
  timestamp: new Date().toISOString(),
  data: { sessionId, seq, status: seq === 1 ? 'created' : 'sms_sent' },
});
const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('WebhookSender', () => {
  it('signs each attempt (standardwebhooks verifies it) and retries with the same id, backing off', async () => {
    answer = (n) => (n <= 3 ? 503 : 204);
    const sender = new WebhookSender(new FileWebhookQueue(dir), { urls: [url], secret: SECRET, retryBaseMs: 40, deadAfterMs: 60_000 }, log);
    await sender.start();
    await sender.enqueue(event('s1', 1));
    await until('delivered', () => seen.length === 4 && sender.waiting === 0);
    const verifier = new Webhook(SECRET);
    for (const s of seen) expect(verifier.verify(s.headers['raw']!, s.headers)).toEqual(s.body);
    expect(new Set(seen.map((s) => s.id)).size).toBe(1);
    expect(seen[0]!.id).toBe('msg_s1_1');
    sender.close();
  });

  it("delivers a document of its own (the EIDO at a session's end) to its own receiver, signed the same way, after the event before it", async () => {
    const sender = new WebhookSender(new FileWebhookQueue(dir), { urls: [url], secret: SECRET, retryBaseMs: 40, deadAfterMs: 60_000 }, log);
    await sender.start();
    await sender.enqueue(event('s1', 1));
    const doc = { eidoVersion: '1.0', $id: 'urn:emergency:uid:incidentid:0:example.no' };
    await sender.enqueueDocument({ sessionId: 's1', seq: 1, kind: 'eido', url: `${url}eido`, body: JSON.stringify(doc) });
    await sender.enqueueDocument({ sessionId: 's1', seq: 1, kind: 'eido', url: `${url}eido`, body: JSON.stringify(doc) });
    await until('delivered', () => seen.length === 2 && sender.waiting === 0);
    expect(seen.map((s) => s.id)).toEqual(['msg_s1_1', 'msg_s1_1_eido']);
    expect(seen[1]!.body).toEqual(doc);
    expect(new Webhook(SECRET).verify(seen[1]!.headers['raw']!, seen[1]!.headers)).toEqual(doc);
    sender.close();
  });

  it('keeps a session in order: its next event waits while the one before is being retried', async () => {
    answer = (n) => (n <= 2 ? 500 : 204);
    const sender = new WebhookSender(new FileWebhookQueue(dir), { urls: [url], secret: SECRET, retryBaseMs: 30, deadAfterMs: 60_000 }, log);
    await sender.start();
    for (let seq = 1; seq <= 4; seq++) await sender.enqueue(event('s1', seq));
    await until('all delivered', () => sender.waiting === 0);
    const firstSeen = [...new Map(seen.map((s) => [s.id, s.body.data.seq])).values()];
    expect(firstSeen).toEqual([1, 2, 3, 4]);
    sender.close();
  });

  it('never writes one delivery twice at once, however events keep coming during its retries (a cut queue file stopped a restart)', async () => {
    answer = () => 503;
    const queue = new FileWebhookQueue(dir);
    const writing = new Set<string>();
    const overlaps: string[] = [];
    const put = queue.put.bind(queue);
    queue.put = async (d: Delivery) => {
      if (writing.has(d.key)) overlaps.push(d.key);
      writing.add(d.key);
      try {
        await put(d);
      } finally {
        writing.delete(d.key);
      }
    };
    const sender = new WebhookSender(queue, { urls: [url], secret: SECRET, retryBaseMs: 5, deadAfterMs: 60_000 }, log);
    await sender.start();
    for (let i = 0; i < 40; i++) await sender.enqueue(event(`other-${i}`, 1));
    await until('retries under way', () => seen.length > 120);
    sender.close();
    expect(overlaps).toEqual([]);
    // Whatever was on disk reads back whole.
    expect((await new FileWebhookQueue(dir).load()).length).toBe(40);
  });

  it('picks the queue up after a restart, and buries a delivery still failing after its day', async () => {
    answer = () => 503;
    const first = new WebhookSender(new FileWebhookQueue(dir), { urls: [url], secret: SECRET, retryBaseMs: 10_000, deadAfterMs: 60_000 }, log);
    await first.start();
    await first.enqueue(event('s1', 1));
    await until('one failed attempt on disk', async () => (await new FileWebhookQueue(dir).load())[0]?.attempts === 1);
    first.close();
    expect((await new FileWebhookQueue(dir).load())[0]).toMatchObject({ attempts: 1, lastError: 'http_503' });

    // A new process on the same queue, for which the delivery's day is over.
    answer = () => 410;
    const second = new WebhookSender(new FileWebhookQueue(dir), { urls: [url], secret: SECRET, retryBaseMs: 10, deadAfterMs: 0 }, log);
    const dead: Delivery[] = [];
    second.observer.on('dead', (d) => void dead.push(d));
    // Due now (its back-off would have passed by the time a real restart comes).
    await new FileWebhookQueue(dir).put({ ...(await new FileWebhookQueue(dir).load())[0]!, nextAt: 0 });
    await second.start();
    await second.enqueue(event('s2', 1));
    // Told before the queue has moved it (the observer first, then the disk): both are awaited.
    await until('buried', async () => dead.length === 2 && (await readdir(path.join(dir, 'pending'))).length === 0);
    expect((await new FileWebhookQueue(dir).deadLetters()).map((d) => d.lastError)).toEqual(['http_410', 'http_410']);
    second.close();
  });

  it('keeps an unreadable queue file aside instead of failing to start', async () => {
    const queue = new FileWebhookQueue(dir);
    await queue.put({ key: 'k1', id: 'msg_1', url, sessionId: 's', body: '{}', queuedAt: 0, attempts: 0, nextAt: 0 });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'pending', 'k2.json'), '{"key":"k2"}garbage');
    const loaded = await queue.load();
    expect(loaded.map((d) => d.key)).toEqual(['k1']);
    expect(queue.unreadable).toHaveLength(1);
    expect((await readdir(path.join(dir, 'pending'))).sort()).toEqual(['k1.json', 'k2.json.unreadable']);
  });
});

describe('WebhookSender with a queue it cannot write (a full disk)', () => {
  it('still backs off between tries instead of sending again at once', async () => {
    answer = () => 503;
    const queue = new FileWebhookQueue(dir);
    const sender = new WebhookSender(queue, { urls: [url], secret: SECRET, retryBaseMs: 60_000, deadAfterMs: 3_600_000 }, log);
    await sender.start();
    await sender.enqueue(event('s1', 1));
    queue.put = () => Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await new Promise((r) => setTimeout(r, 1000));
    sender.close();
    // Before: 253 POSTs in that second (the back-off was only on disk, and the write failed).
    expect(seen.length).toBe(1);
  });
});
