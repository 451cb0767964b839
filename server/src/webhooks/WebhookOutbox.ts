import path from 'node:path';
import { isSessionStatus, type SessionEvent, type SessionStatus } from '@sightline/shared';
import type { Config } from '../config.js';
import type { Logger } from '../logging.js';
import type { SessionService } from '../sessions/SessionService.js';
import { webhookOf } from './webhookEvents.js';
import { FileWebhookQueue, type WebhookQueue } from './WebhookQueue.js';
import { WebhookSender } from './WebhookSender.js';

/** One session's line: its events queued one after the other, and what the webhooks need of it. */
interface Line {
  chain: Promise<void>;
  status?: SessionStatus;
  incidentRef?: string | null;
}

/**
 * Turns the sessions' logged events into webhooks (issue #16 §2), at least once: each event that
 * makes one (webhookEvents.ts) is queued for every receiver, in log order per session, and a cursor
 * per session remembers the last seq queued. The log is the authority: an event logged just before a
 * crash, whose webhook was not yet queued, is found by `recover` at the next start (every session
 * since webhooks were first configured, from its cursor on), so none is lost between the log and
 * the queue. A repeat of one already queued is skipped by the cursor.
 */
export class WebhookOutbox {
  #lines = new Map<string, Line>();

  constructor(
    readonly sender: WebhookSender,
    private readonly queue: WebhookQueue,
    private readonly sessions: SessionService,
    private readonly log: Logger,
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
    for (const s of await this.sessions.list({ from: since })) {
      const events = await this.sessions.events(s.id);
      const cursor = await this.queue.cursor(s.id);
      let status: SessionStatus | undefined;
      const line = this.#line(s.id);
      line.incidentRef = s.incidentRef ?? null;
      for (const e of events) {
        const previous = status;
        status = isSessionStatus(e.type) ? e.type : status;
        if (e.seq <= cursor) continue;
        line.chain = line.chain.then(() => this.#queue(s.id, e, line, previous));
        queued++;
      }
      line.status = status;
      await line.chain;
    }
    if (queued) this.log.info({ queued }, 'webhooks: events logged before a crash queued now');
    return queued;
  }

  close(): void {
    this.sender.close();
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
        if (event.type === 'ended' && this.#lines.get(sessionId) === line) this.#lines.delete(sessionId);
      });
  }

  /** Queues the event's webhook (if it makes one) unless the cursor has it, then moves the cursor. Never throws. */
  async #queue(sessionId: string, event: SessionEvent, line: Line, previous: SessionStatus | undefined): Promise<void> {
    try {
      if (event.seq <= (await this.queue.cursor(sessionId))) return;
      line.incidentRef ??= (await this.sessions.get(sessionId)).incidentRef ?? null;
      const payload = webhookOf(event, { id: sessionId, ...(line.incidentRef && { incidentRef: line.incidentRef }) }, previous);
      if (payload) await this.sender.enqueue(payload);
      await this.queue.setCursor(sessionId, event.seq);
    } catch (err) {
      // Left for `recover` at the next start: the cursor did not move.
      this.log.error({ sessionId, seq: event.seq, err: (err as Error).message }, 'webhook not queued');
    }
  }
}

/**
 * The outbox when WEBHOOK_URLS is set (undefined otherwise), its queue in DATA_DIR/webhooks, sending
 * what a previous run left waiting. Call `recover()` once the store knows every session.
 */
export async function startWebhooks(config: Config, sessions: SessionService, log: Logger): Promise<WebhookOutbox | undefined> {
  if (!config.webhooks) return undefined;
  const queue = new FileWebhookQueue(path.join(config.dataDir, 'webhooks'));
  const sender = new WebhookSender(queue, config.webhooks, log.child({ part: 'webhooks' }));
  await sender.start();
  for (const file of queue.unreadable) log.error({ file }, 'webhook queue file unreadable: kept aside, not sent');
  return new WebhookOutbox(sender, queue, sessions, log);
}
