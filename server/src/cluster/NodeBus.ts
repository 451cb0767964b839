import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '@sightline/shared';
import { AppError, toAppError, UnavailableError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { RedisStore } from '../store/RedisStore.js';

type RedisClient = RedisStore['client'];

type Message =
  | { kind: 'call'; id: string; from: string; op: string; args: unknown[] }
  | { kind: 'reply'; id: string; ok: true; data: unknown }
  | { kind: 'reply'; id: string; ok: false; error: { code: ErrorCode; status: number; message: string } };

export type OpHandler = (op: string, args: unknown[]) => Promise<unknown>;

/** The node addressed is not listening on the bus at all: it is gone (or cut off from Redis). */
export class NodeGoneError extends UnavailableError {
  constructor(readonly nodeId: string) {
    super(`media node ${nodeId} is not reachable`);
  }
}

/**
 * Request/response between nodes over Redis Pub/Sub: each node listens on its own channel. Pub/Sub
 * loses what is sent while a node is cut off, which suits calls: the caller times out and its
 * client retries. PUBLISH tells how many listeners got the message, so a call to a dead node fails
 * at once instead of after the timeout; that is what makes takeover fast.
 */
export class NodeBus {
  #pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  private constructor(
    private readonly pub: RedisClient,
    private readonly sub: RedisClient,
    readonly nodeId: string,
    private readonly prefix: string,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  static async start(client: RedisClient, nodeId: string, serve: OpHandler, log: Logger, opts: { prefix?: string; timeoutMs?: number } = {}): Promise<NodeBus> {
    const sub = client.duplicate();
    sub.on('error', () => {});
    await sub.connect();
    const bus = new NodeBus(client, sub, nodeId, opts.prefix ?? 'sl:', log.child({ component: 'node-bus' }), opts.timeoutMs ?? 4000);
    await sub.subscribe(bus.#channel(nodeId), (raw) => void bus.#onMessage(raw, serve));
    return bus;
  }

  /** Runs `op` on node `nodeId`; its AppErrors come back as AppErrors with the same code. */
  async call(nodeId: string, op: string, args: unknown[]): Promise<unknown> {
    const id = randomUUID();
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new UnavailableError(`media node ${nodeId} did not answer ${op} in time`));
      }, this.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
    });
    const message: Message = { kind: 'call', id, from: this.nodeId, op, args };
    const listeners = await this.pub.publish(this.#channel(nodeId), JSON.stringify(message)).catch(() => -1);
    if (listeners <= 0) {
      this.#settle(id, listeners === 0 ? new NodeGoneError(nodeId) : new UnavailableError('cluster bus unavailable'));
    }
    return reply;
  }

  async close(): Promise<void> {
    for (const id of [...this.#pending.keys()]) this.#settle(id, new UnavailableError('shutting down'));
    await this.sub.close().catch(() => undefined);
  }

  #channel(nodeId: string): string {
    return `${this.prefix}node-bus:${nodeId}`;
  }

  #settle(id: string, result: { ok: true; data: unknown } | Error): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result.data);
  }

  async #onMessage(raw: string, serve: OpHandler): Promise<void> {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.kind === 'reply') {
      this.#settle(message.id, message.ok ? message : new AppError(message.error.code, message.error.status, message.error.message));
      return;
    }
    let reply: Message;
    try {
      reply = { kind: 'reply', id: message.id, ok: true, data: (await serve(message.op, message.args)) ?? null };
    } catch (err) {
      const e = toAppError(err);
      if (e.status >= 500) this.log.error({ err, op: message.op, from: message.from }, 'forwarded media call failed');
      reply = { kind: 'reply', id: message.id, ok: false, error: { code: e.code, status: e.status, message: e.message } };
    }
    await this.pub.publish(this.#channel(message.from), JSON.stringify(reply)).catch(() => undefined);
  }
}
