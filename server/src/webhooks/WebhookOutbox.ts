import path from 'node:path';
import { isSessionStatus, type SessionEvent, type SessionStatus } from '@sightline/shared';
import type { Config } from '../config.js';
import type { Logger } from '../logging.js';
import type { SessionService } from '../sessions/SessionService.js';
import { webhookOf } from './webhookEvents.js';
import { FileWebhookQueue, type WebhookQueue } from './WebhookQueue.js';
import { RedisWebhookQueue } from './RedisWebhookQueue.js';
import { WebhookLease } from './WebhookLease.js';
import { WebhookSender } from './WebhookSender.js';

/** One session's line: its events queued one after the other, and what the webhooks need of it. */
interface Line {
  chain: Promise<void>;
  status?: SessionStatus;
  incidentRef?: string | null;
  /**
   * An event of this session could not be queued: nothing after it is queued either (the cursor is a
   * high-water mark and must not pass it), until the line is read again from the log.
   */
  stalled?: boolean;
}

/** How long a stalled line waits before it is read again from the log (doubling, at most 5 min). */
const RESUME_MS = 5_000;
const RESUME_MAX_MS = 300_000;
/**
 * Several nodes: how long a new delivery waits before its first try (WebhookSender `sharedHoldMs`).
 * Two nodes may queue two events of one session a moment apart, in either order; the sender sends a
 * session's lowest log seq first, so order holds unless one node lags this long behind the other.
 */
const SHARED_HOLD_MS = 1_500;

/**
 * Turns the sessions' logged events into webhooks (issue #16 §2), at least once: each event that
 * makes one (webhookEvents.ts) is queued for every receiver, in log order per session, and a cursor
 * per session remembers the last seq queued. The log is the authority: an event logged just before a
 * crash, whose webhook was not yet queued, is found by `recover` at the next start (every session
 * since webhooks were first configured, from its cursor on), so none is lost between the log and
 * the queue. A repeat of one already queued is skipped by the cursor. An event that cannot be queued
 * (a full disk) stalls its session's line, which is read again from the log until it goes through.
 */
export class WebhookOutbox {
  #lines = new Map<string, Line>();
  /** Documents posted at each session's end (EIDO_WEBHOOK): `kind` names them in keys and ids. */
  #atEnd: { kind: string; url: string; document(sessionId: string): Promise<unknown> }[] = [];

  constructor(
    readonly sender: WebhookSender,
    private readonly queue: WebhookQueue,
    private readonly sessions: SessionService,
    private readonly log: Logger,
    /** How long a stalled line waits before it is read again from the log, ms (doubling, at most 5 min). */
    private readonly resumeMs = RESUME_MS,
    /** Several nodes: the lease that decides which one sends (closed with the outbox). */
    private readonly lease?: WebhookLease,
  ) {
    sessions.on('event', (sessionId, status, event) => this.#follow(sessionId, status, event));
  }

  /**
   * Queues what the logs hold beyond each session's cursor: the events of a crash's last moments.
   * Call once at start, after the store knows every session and before new events are logged.
   */
  async recover(): Promise<number> {
    const since = await this.queue.since();
    let queued = 0;
    const known = new Set<string>();
    for (const s of await this.sessions.list({ from: since })) {
      known.add(s.id);
      const line = this.#line(s.id);
      line.incidentRef = s.incidentRef ?? null;
      queued += await this.#fromLog(s.id, line);
    }
    if (queued) this.log.info({ queued }, 'webhooks: events logged before a crash queued now');
    await this.#dropCursorsOfGoneSessions(known);
    return queued;
  }

  /**
   * A cursor outlives its session only until the next start: once retention removed the session, no
   * event of it can come, and the cursor (a file, or a Redis hash field) would pile up for ever.
   */
  async #dropCursorsOfGoneSessions(known: Set<string>): Promise<void> {
    let dropped = 0;
    for (const id of await this.queue.cursors()) {
      if (known.has(id)) continue;
      await this.queue.dropCursor(id);
      dropped++;
    }
    if (dropped) this.log.info({ dropped }, 'webhooks: cursors of sessions no longer kept dropped');
  }

  /**
   * Queues the session's logged events past its cursor, in order, as one link of its line (events
   * told meanwhile queue after it; the cursor skips what it already queued). Returns how many it tried.
   */
  async #fromLog(sessionId: string, line: Line): Promise<number> {
    let tried = 0;
    const link = async () => {
      line.stalled = false;
      const cursor = await this.queue.cursor(sessionId);
      let status: SessionStatus | undefined;
      for (const e of await this.sessions.events(sessionId)) {
        const previous = status;
        status = isSessionStatus(e.type) ? e.type : status;
        if (e.seq <= cursor) continue;
        tried++;
        await this.#queue(sessionId, e, line, previous);
      }
      line.status ??= status;
    };
    // A link never rejects: a rejected chain would skip every link after it.
    line.chain = line.chain.then(link).catch((err: Error) => {
      line.stalled = true;
      this.log.error({ sessionId, err: err.message }, 'webhooks: session log not read');
    });
    await line.chain;
    return tried;
  }

  /** A stalled line is read again from the log after a while, until it goes through. */
  #resumeLater(sessionId: string, line: Line, waitMs = this.resumeMs): void {
    const timer = setTimeout(() => {
      void this.#fromLog(sessionId, line).then(() => line.stalled && this.#resumeLater(sessionId, line, Math.min(RESUME_MAX_MS, waitMs * 2)));
    }, waitMs);
    timer.unref();
  }

  /**
   * Also posts a document to `url` at each session's end (EIDO_WEBHOOK: its EIDO), queued with the
   * `ended` event's webhook before the cursor passes it, so it is as durable as the events: a crash
   * before it was queued finds it again in the log (`recover`). Set it before `recover`.
   */
  postAtEnd(kind: string, url: string, document: (sessionId: string) => Promise<unknown>): void {
    this.#atEnd.push({ kind, url, document });
  }

  async close(): Promise<void> {
    this.sender.close();
    await this.lease?.close();
  }

  #line(sessionId: string): Line {
    const line = this.#lines.get(sessionId) ?? { chain: Promise.resolve() };
    this.#lines.set(sessionId, line);
    return line;
  }

  #follow(sessionId: string, status: SessionStatus, event: SessionEvent): void {
    const line = this.#line(sessionId);
    const previous = line.status;
    line.status = status;
    line.chain = line.chain
      .then(() => this.#queue(sessionId, event, line, previous))
      .finally(() => {
        // Records after the end (a segment finalised late) come with status ended too and prune it again.
        if (status === 'ended' && !line.stalled && this.#lines.get(sessionId) === line) this.#lines.delete(sessionId);
      });
  }

  /** Queues the event's webhook (if it makes one) unless the cursor has it, then moves the cursor. Never throws. */
  async #queue(sessionId: string, event: SessionEvent, line: Line, previous: SessionStatus | undefined): Promise<void> {
    if (line.stalled) return;
    try {
      line.incidentRef ??= (await this.sessions.get(sessionId)).incidentRef ?? null;
      const payload = webhookOf(event, { id: sessionId, ...(line.incidentRef && { incidentRef: line.incidentRef }) }, previous);
      // Only events that make a webhook move the cursor (one durable write each); the rest make none again.
      if (!payload || event.seq <= (await this.queue.cursor(sessionId))) return;
      await this.sender.enqueue(payload);
      if (event.type === 'ended') {
        for (const d of this.#atEnd) {
          const body = JSON.stringify(await d.document(sessionId));
          await this.sender.enqueueDocument({ sessionId, seq: event.seq, kind: d.kind, url: d.url, body });
        }
      }
      await this.queue.setCursor(sessionId, event.seq);
    } catch (err) {
      // The cursor stays before this event, and the line stops here: a later event queued now would
      // move the cursor past this one for good. The log still holds it; the line is read again later.
      line.stalled = true;
      this.#resumeLater(sessionId, line);
      this.log.error({ sessionId, seq: event.seq, err: (err as Error).message }, 'webhook not queued: the session waits, read again from its log');
    }
  }
}

/**
 * The outbox when WEBHOOK_URLS is set (undefined otherwise), sending what a previous run left
 * waiting. Its queue: DATA_DIR/webhooks on one node; with REDIS_URL a Redis stream every node shares,
 * sent by one node at a time (WebhookLease). Call `recover()` once the store knows every session.
 * @throws when Redis cannot be reached.
 */
export async function startWebhooks(config: Config, sessions: SessionService, log: Logger): Promise<WebhookOutbox | undefined> {
  if (!config.webhooks) return undefined;
  const wlog = log.child({ part: 'webhooks' });
  if (config.redisUrl) {
    const queue = await RedisWebhookQueue.connect(config.redisUrl);
    const sender = new WebhookSender(queue, { ...config.webhooks, sharedHoldMs: SHARED_HOLD_MS }, wlog);
    const lease = new WebhookLease(queue, sender, config.nodeId, wlog);
    await lease.start();
    return new WebhookOutbox(sender, queue, sessions, log, RESUME_MS, lease);
  }
  const queue = new FileWebhookQueue(path.join(config.dataDir, 'webhooks'));
  const sender = new WebhookSender(queue, config.webhooks, wlog);
  await sender.start();
  for (const file of queue.unreadable) log.error({ file }, 'webhook queue file unreadable: kept aside, not sent');
  return new WebhookOutbox(sender, queue, sessions, log);
}
