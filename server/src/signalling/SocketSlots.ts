import type { RedisStore } from '../store/RedisStore.js';

/**
 * How many sockets each token holds at once. `acquire` takes a slot for one socket (false when the
 * token already holds `max`); `release` gives it back when the socket goes. In memory mode the count
 * is this node's; in Redis mode it is the cluster's (one sorted set per token, scored by expiry).
 */
export interface SocketSlots {
  acquire(key: string, socketId: string, max: number): Promise<boolean>;
  release(key: string, socketId: string): Promise<void>;
  close(): void;
}

export class MemorySocketSlots implements SocketSlots {
  #held = new Map<string, Set<string>>();

  async acquire(key: string, socketId: string, max: number): Promise<boolean> {
    const held = this.#held.get(key) ?? new Set<string>();
    if (held.size >= max) return false;
    held.add(socketId);
    this.#held.set(key, held);
    return true;
  }

  async release(key: string, socketId: string): Promise<void> {
    const held = this.#held.get(key);
    held?.delete(socketId);
    if (held?.size === 0) this.#held.delete(key);
  }

  close(): void {}
}

/** Drops expired slots, counts the rest, and takes one if there is room: one step, so racing nodes cannot overshoot. */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
`;

/**
 * Slots shared by every node. A slot carries an expiry that its node renews while the socket lives
 * (every `ttlMs / 3`), so the slots of a node that died free themselves within `ttlMs`.
 */
export class RedisSocketSlots implements SocketSlots {
  #mine = new Map<string, string>();
  #timer: NodeJS.Timeout;

  constructor(
    private readonly client: RedisStore['client'],
    private readonly ttlMs = 90_000,
  ) {
    this.#timer = setInterval(() => void this.#renew(), ttlMs / 3);
    this.#timer.unref();
  }

  async acquire(key: string, socketId: string, max: number): Promise<boolean> {
    const now = Date.now();
    const ok = await this.client.eval(ACQUIRE, { keys: [this.#k(key)], arguments: [String(now), String(now + this.ttlMs), String(max), socketId] });
    if (Number(ok) === 1) this.#mine.set(socketId, key);
    return Number(ok) === 1;
  }

  async release(key: string, socketId: string): Promise<void> {
    this.#mine.delete(socketId);
    await this.client.zRem(this.#k(key), socketId);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #renew(): Promise<void> {
    if (this.#mine.size === 0) return;
    const until = Date.now() + this.ttlMs;
    const multi = this.client.multi();
    for (const [socketId, key] of this.#mine) {
      multi.zAdd(this.#k(key), { score: until, value: socketId }, { XX: true });
      multi.pExpireAt(this.#k(key), until);
    }
    await multi.exec().catch(() => undefined);
  }

  #k(key: string): string {
    return `sl:sockets:${key}`;
  }
}
