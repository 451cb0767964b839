import type { Logger } from '../logging.js';
import type { SharedWebhookQueue } from './WebhookQueue.js';
import type { WebhookSender } from './WebhookSender.js';

/** How long the lease lasts unless renewed, ms: how long deliveries wait when the sending node dies. */
const LEASE_MS = 10_000;
/** How often the lease is renewed and the queue read for what other nodes queued, ms. */
const TICK_MS = 1_000;

/**
 * Several nodes, one shared queue (Redis mode): one node sends at a time, so a session's deliveries
 * leave in log order. Each node asks for the lease every second; the holder renews it, sends, and
 * picks up what the other nodes queued. When the holder dies its lease lapses (`leaseMs`) and another
 * node takes over from the queue as Redis holds it; a delivery in flight at the death is sent again
 * with its id (at least once). A node that cannot reach Redis stops sending: it cannot know it still
 * holds the lease.
 */
export class WebhookLease {
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #ticking: Promise<void> = Promise.resolve();

  constructor(
    private readonly queue: SharedWebhookQueue,
    private readonly sender: WebhookSender,
    private readonly nodeId: string,
    private readonly log: Logger,
    private readonly opts: { leaseMs?: number; tickMs?: number } = {},
  ) {}

  /** Stops the sender until the lease is held, then asks for it now and every tick. */
  start(): Promise<void> {
    this.sender.stepDown();
    return this.#tick();
  }

  #tick(): Promise<void> {
    this.#ticking = this.#renew().finally(() => {
      if (this.#closed) return;
      this.#timer = setTimeout(() => void this.#tick(), this.opts.tickMs ?? TICK_MS);
      this.#timer.unref();
    });
    return this.#ticking;
  }

  async #renew(): Promise<void> {
    try {
      const held = await this.queue.lease(this.nodeId, this.opts.leaseMs ?? LEASE_MS);
      if (!held) {
        if (this.sender.leading) this.log.info('webhooks: another node sends now');
        this.sender.stepDown();
      } else if (!this.sender.leading) {
        this.sender.takeOver(await this.queue.load());
        this.log.info({ waiting: this.sender.waiting }, 'webhooks: this node sends');
      } else this.sender.take(await this.queue.added());
    } catch (err) {
      if (this.sender.leading) this.log.warn({ err: (err as Error).message }, 'webhooks: Redis unreachable, this node stops sending');
      this.sender.stepDown();
    }
  }

  /** Stops asking and gives the lease up, so another node sends at once. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#ticking;
    this.sender.stepDown();
    await this.queue.release(this.nodeId).catch(() => undefined);
    await this.queue.close();
  }
}
