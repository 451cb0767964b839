import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SessionEvent, SessionStatus, WebhookPayload } from '@sightline/shared';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionService } from '../sessions/SessionService.js';
import { WebhookOutbox } from './WebhookOutbox.js';
import { FileWebhookQueue } from './WebhookQueue.js';
import type { WebhookSender } from './WebhookSender.js';

const log = pino({ level: 'silent' });
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A session service as the outbox sees it: its events, pushed and read back from the "log". */
function sessionsWith(log: SessionEvent[]): SessionService & EventEmitter {
  const s = new EventEmitter() as SessionService & EventEmitter;
  Object.assign(s, {
    get: async (id: string) => ({ id, incidentRef: 'CAD-1' }),
    list: async () => [{ id: 's1', incidentRef: 'CAD-1' }],
    events: async () => log,
  });
  return s;
}
const ev = (seq: number, type: SessionEvent['type']): SessionEvent => ({ seq, type, at: new Date(0).toISOString(), actor: 'system' });

describe('WebhookOutbox', () => {
  it('never passes an event it could not queue: the session waits, and is read again from its log', async () => {
    const events = [ev(1, 'created'), ev(2, 'sms_sent'), ev(3, 'sms_delivered')];
    const sessions = sessionsWith(events);
    const queued: number[] = [];
    let failOnce = true;
    const sender = {
      enqueue: async (p: WebhookPayload) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('no space left on device');
        }
        queued.push(p.data.seq);
      },
      close() {},
    } as unknown as WebhookSender;
    const queue = new FileWebhookQueue(dir);
    new WebhookOutbox(sender, queue, sessions, log, 1_500);
    for (const [i, e] of events.entries()) sessions.emit('event', 's1', (['created', 'sms_sent', 'sms_delivered'] as SessionStatus[])[i], e);
    await vi.waitFor(() => expect(failOnce).toBe(false));
    await new Promise((r) => setTimeout(r, 150));
    // Before: 2 and 3 went out, the cursor moved to 3 and event 1 (session.created) was lost for good.
    expect(queued).toEqual([]);
    expect(await queue.cursor('s1')).toBe(0);
    // The cursor moves just after each event is queued: both are awaited, not the one then the other.
    await vi.waitFor(
      async () => {
        expect(queued).toEqual([1, 2, 3]);
        expect(await queue.cursor('s1')).toBe(3);
      },
      { timeout: 10_000 },
    );
  });

  it('drops at start the cursors of sessions no longer kept (retention removed them), and keeps the others', async () => {
    const queue = new FileWebhookQueue(dir);
    await queue.setCursor('s1', 4);
    await queue.setCursor('gone-by-retention', 9);
    const sender = { enqueue: async () => undefined, close() {} } as unknown as WebhookSender;
    await new WebhookOutbox(sender, queue, sessionsWith([ev(1, 'created')]), log).recover();
    expect(await queue.cursors()).toEqual(['s1']);
    expect(await queue.cursor('s1')).toBe(4);
  });

  it("queues the session's EIDO document once at its end (EIDO_WEBHOOK), again with the same key when read from the log after a crash", async () => {
    const events = [ev(1, 'created'), ev(2, 'ended')];
    const sessions = sessionsWith(events);
    const documents: { sessionId: string; seq: number; kind: string; url: string; body: string }[] = [];
    const sender = {
      enqueue: async () => undefined,
      enqueueDocument: async (d: (typeof documents)[number]) => void documents.push(d),
      close() {},
    } as unknown as WebhookSender;
    const queue = new FileWebhookQueue(dir);
    const outbox = new WebhookOutbox(sender, queue, sessions, log);
    outbox.postAtEnd('eido', 'https://cad.example/eido', async (id) => ({ eidoVersion: '1.0', id }));
    sessions.emit('event', 's1', 'created', events[0]);
    sessions.emit('event', 's1', 'ended', events[1]);
    await vi.waitFor(async () => expect(await queue.cursor('s1')).toBe(2));
    expect(documents).toEqual([
      { sessionId: 's1', seq: 2, kind: 'eido', url: 'https://cad.example/eido', body: JSON.stringify({ eidoVersion: '1.0', id: 's1' }) },
    ]);
    // A crash before the cursor moved: the restart reads the log again and queues the same document.
    await queue.setCursor('s1', 1);
    const again = new WebhookOutbox(sender, queue, sessions, log);
    again.postAtEnd('eido', 'https://cad.example/eido', async (id) => ({ eidoVersion: '1.0', id }));
    await again.recover();
    expect(documents).toHaveLength(2);
    expect(documents[1]).toEqual(documents[0]);
  });
});
