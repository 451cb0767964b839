import type { WebhookPayload } from '@sightline/shared';
import { Webhook } from 'standardwebhooks';
import type { Logger } from '../logging.js';
import { Observer } from '../Observer.js';
import type { Delivery, WebhookQueue } from './WebhookQueue.js';

export interface WebhookSenderOptions {
  urls: string[];
  /** Standard Webhooks secret, `whsec_` + base64. */
  secret: string;
  /** The first retry's delay, ms; it doubles on each failure (±20 % jitter), at most `maxDelayMs`. */
  retryBaseMs: number;
  /** A delivery still failing this long after it was queued goes to the dead letters (a day). */
  deadAfterMs: number;
  /** Longest wait between two tries (an hour). */
  maxDelayMs?: number;
  /** How long one POST may take before it counts as failed (10 s). */
  timeoutMs?: number;
  /** Deliveries in flight at once, over all receivers (4). */
  concurrency?: number;
  /**
   * A queue shared by several nodes (Redis mode), ms: a new delivery waits this long before its first
   * try, and reaches the sending node only through the queue (WebhookLease reads it every second), so
   * that an earlier event of the same session queued by another node at the same moment still goes
   * first. Unset: a node with its own queue sends at once.
   */
  sharedHoldMs?: number;
}

export interface WebhookSenderEvents {
  delivered: [delivery: Delivery, ms: number];
  failed: [delivery: Delivery, reason: string];
  dead: [delivery: Delivery];
  /** Deliveries waiting (in flight included), after each change. */
  length: [waiting: number];
}

/**
 * Delivers webhooks at least once, in order per session and receiver (issue #16 §2). `enqueue` only
 * writes the delivery to the durable queue and returns: a slow or dead receiver never delays a call.
 * A worker then sends each receiver's oldest delivery of each session, signed afresh on every try
 * (Standard Webhooks: the timestamp is the attempt's, the id the event's), and retries with
 * exponential back-off until the receiver answers 2xx or a day has passed (dead letter). A restart
 * picks up the queue where it was; a delivery in flight at a crash is sent again with the same id.
 */
export class WebhookSender {
  readonly observer: Observer<WebhookSenderEvents>;
  readonly #signer: Webhook;
  #waiting = new Map<string, Delivery>();
  #inFlight = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /**
   * Keys this node delivered or buried in the last minute: a shared queue's `added` may still list one
   * it read just before the removal, and it must not be sent again.
   */
  #settled = new Map<string, number>();
  /** Whether this node sends: always with its own queue; with a shared one while it holds the lease (WebhookLease). */
  #leading = true;

  constructor(
    private readonly queue: WebhookQueue,
    private readonly opts: WebhookSenderOptions,
    private readonly log: Logger,
  ) {
    this.#signer = new Webhook(opts.secret);
    this.observer = new Observer('WebhookSender', log);
  }

  /** Loads what a previous run left waiting and starts sending. */
  async start(): Promise<void> {
    this.takeOver(await this.queue.load());
  }

  /**
   * Sends from now on, starting from `deliveries` (the whole queue as it is now). A shared queue's
   * lease holder calls it when it takes the lease: what it knew before is stale (another node sent it).
   */
  takeOver(deliveries: Delivery[]): void {
    this.#leading = true;
    for (const key of this.#waiting.keys()) if (!this.#inFlight.has(key)) this.#waiting.delete(key);
    for (const d of deliveries) if (!this.#waiting.has(d.key) && !this.#settled.has(d.key)) this.#waiting.set(d.key, d);
    this.#changed();
  }

  /** Adds deliveries another node queued (a shared queue); those already known are kept as they are. */
  take(deliveries: Delivery[]): void {
    if (!this.#leading) return;
    const now = Date.now();
    for (const [key, at] of this.#settled) if (now - at > 60_000) this.#settled.delete(key);
    const fresh = deliveries.filter((d) => !this.#waiting.has(d.key) && !this.#settled.has(d.key));
    for (const d of fresh) this.#waiting.set(d.key, d);
    if (fresh.length) this.#changed();
  }

  /** Stops sending (the lease went to another node); tries in flight finish. */
  stepDown(): void {
    this.#leading = false;
    clearTimeout(this.#timer);
    for (const key of this.#waiting.keys()) if (!this.#inFlight.has(key)) this.#waiting.delete(key);
    this.observer.emit('length', this.#waiting.size);
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Queues one event for every receiver. Resolves once it is on disk (or in Redis). */
  async enqueue(payload: WebhookPayload): Promise<void> {
    // The event's own key (session and log seq): queued again after a crash, it keeps its id, so a
    // receiver that deduplicates on webhook-id sees one event.
    const id = `msg_${payload.data.sessionId}_${payload.data.seq}`;
    const body = JSON.stringify(payload);
    for (const [i, url] of this.opts.urls.entries())
      await this.#put(keyOf(payload.data.sessionId, payload.data.seq, String(i)), id, url, payload.data.sessionId, body);
    this.#changed();
  }

  /**
   * Queues one document of its own to one receiver: the session's EIDO at its end (EIDO_WEBHOOK),
   * signed, retried and kept like every delivery. `seq` (the log record it comes from) and `kind`
   * make its key and `webhook-id` (`msg_<session>_<seq>_<kind>`): it queues after that record's
   * event in the session's line, and queued again after a crash it is the same delivery.
   */
  async enqueueDocument(d: { sessionId: string; seq: number; kind: string; url: string; body: string }): Promise<void> {
    await this.#put(keyOf(d.sessionId, d.seq, d.kind), `msg_${d.sessionId}_${d.seq}_${d.kind}`, d.url, d.sessionId, d.body);
    this.#changed();
  }

  async #put(key: string, id: string, url: string, sessionId: string, body: string): Promise<void> {
    // Already waiting (queued again from the log after a crash): it is the same event, maybe in flight.
    if (this.#waiting.has(key)) return;
    const now = Date.now();
    const hold = this.opts.sharedHoldMs;
    const delivery: Delivery = { key, id, url, sessionId, body, queuedAt: now, attempts: 0, nextAt: now + (hold ?? 0) };
    await this.queue.put(delivery);
    // A shared queue: every node only queues; the lease holder reads the queue in order and sends.
    if (hold === undefined) this.#waiting.set(key, delivery);
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #changed(): void {
    this.observer.emit('length', this.#waiting.size);
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#closed || !this.#leading) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#pump(), ms);
    this.#timer.unref();
  }

  /** Starts every delivery that is due and first in its line; wakes again for the next one due. */
  #pump(): void {
    const now = Date.now();
    const heads = new Map<string, Delivery>();
    for (const d of [...this.#waiting.values()].sort((a, b) => (a.key < b.key ? -1 : 1))) {
      const line = `${d.url} ${d.sessionId}`;
      if (!heads.has(line)) heads.set(line, d);
    }
    let next = Infinity;
    for (const d of heads.values()) {
      if (this.#inFlight.has(d.key)) continue;
      if (d.nextAt > now) next = Math.min(next, d.nextAt);
      else if (this.#inFlight.size < (this.opts.concurrency ?? 4)) void this.#attempt(d);
      else next = Math.min(next, now + 50);
    }
    if (next !== Infinity) this.#schedule(Math.max(0, next - now));
  }

  async #attempt(d: Delivery): Promise<void> {
    this.#inFlight.add(d.key);
    const started = performance.now();
    const error = await this.#post(d);
    if (this.#closed) return;
    // Still in flight until the queue says what became of it: a second try of the same delivery
    // started meanwhile would write the same file at the same time.
    // What became of it is settled in memory first: a queue that cannot be written (a full disk) must
    // not turn into a tight loop of sends. On disk it stays as it was: sent again after a restart,
    // with its id (at least once).
    try {
      // The lease went to another node while this try was out: that node owns the retry state now
      // (it loaded the delivery as it was); a delivered one is still taken out, so it is not sent again.
      if (error && !this.#leading) this.#waiting.delete(d.key);
      else if (!error) {
        this.#waiting.delete(d.key);
        this.#settled.set(d.key, Date.now());
        this.observer.emit('delivered', d, performance.now() - started);
        await this.queue.remove(d.key);
      } else await this.#failed(d, error);
    } catch (err) {
      this.log.error({ key: d.key, err: (err as Error).message }, 'webhook queue not updated');
    } finally {
      this.#inFlight.delete(d.key);
    }
    this.#changed();
  }

  async #failed(d: Delivery, reason: string): Promise<void> {
    const attempts = d.attempts + 1;
    this.observer.emit('failed', d, reason);
    if (Date.now() - d.queuedAt >= this.opts.deadAfterMs) {
      const dead = { ...d, attempts, lastError: reason };
      this.#waiting.delete(d.key);
      this.#settled.set(d.key, Date.now());
      this.log.warn({ id: d.id, url: d.url, attempts, reason }, 'webhook given up: dead letter');
      this.observer.emit('dead', dead);
      await this.queue.bury(dead);
      return;
    }
    const delay = Math.min(this.opts.maxDelayMs ?? 3_600_000, this.opts.retryBaseMs * 2 ** (attempts - 1)) * (0.8 + Math.random() * 0.4);
    const next = { ...d, attempts, lastError: reason, nextAt: Date.now() + delay };
    this.#waiting.set(d.key, next);
    await this.queue.put(next);
  }

  /** One POST; undefined when the receiver took it (2xx), else why not. */
  async #post(d: Delivery): Promise<string | undefined> {
    const at = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': d.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.#signer.sign(d.id, at, d.body),
    };
    try {
      const res = await fetch(d.url, { method: 'POST', headers, body: d.body, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000), redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? undefined : `http_${res.status}`;
    } catch (err) {
      return (err as Error).name === 'TimeoutError' ? 'timeout' : 'network';
    }
  }
}

/**
 * A delivery's key: the session, then its log seq, then which (a receiver's index, or a document's
 * kind). A session's deliveries sort in log order whatever the clock does, and the same event
 * queued again after a crash lands on the same file, not a second one.
 */
function keyOf(sessionId: string, seq: number, which: string): string {
  return `${sessionId}.${seq.toString().padStart(9, '0')}.${which}`;
}
