import { connectRedis, type RedisClient } from '../store/redisClient.js';
import type { Delivery, SharedWebhookQueue } from './WebhookQueue.js';

/*
 * Key layout (prefix default "sl:", as the store's):
 *   webhooks:stream   Redis stream, one entry a delivery as first queued: fields key, json
 *   webhooks:ids      hash key -> stream entry id (a put of a waiting key updates, never adds)
 *   webhooks:state    hash key -> the delivery's JSON after its last try (attempts, nextAt, lastError)
 *   webhooks:dead     Redis stream of dead letters: fields key, json
 *   webhooks:cursors  hash session id -> last log seq queued (only ever raised)
 *   webhooks:since    when webhooks were first configured on this Redis (ISO 8601; first writer wins)
 *   webhooks:sender   the sending node's lease (node id; expires unless renewed)
 * Multi-step updates are Lua scripts, atomic across nodes.
 */

// A waiting key is updated in place; a new one (never tried: ARGV[3] = 0) is appended to the stream
// and indexed. A tried one that is gone was delivered or buried meanwhile, maybe by another node
// after this one lost the lease: it is not brought back (it would be sent again, out of order).
const PUT = `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[2]) return 0
end
if ARGV[3] ~= '0' then return -1 end
local id = redis.call('XADD', KEYS[1], '*', 'key', ARGV[1], 'json', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], id)
return 1`;

const REMOVE = `
local id = redis.call('HGET', KEYS[2], ARGV[1])
if id then redis.call('XDEL', KEYS[1], id) end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return id and 1 or 0`;

const BURY = `
redis.call('XADD', KEYS[4], '*', 'key', ARGV[1], 'json', ARGV[2])
${REMOVE}`;

const RAISE_CURSOR = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
return 0`;

const SINCE = `
local cur = redis.call('GET', KEYS[1])
if cur then return cur end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]`;

// Takes the lease if free, or renews it if this node holds it.
const LEASE = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0`;

/**
 * The webhook queue in Redis mode (issue #16 §2): a Redis stream shared by every node, so a delivery
 * queued on one node is sent even when that node is gone. Entries keep their first form; each retry's
 * state (attempts, next try, last error) sits beside them, and a delivered one is deleted from the
 * stream (XDEL). Durability is Redis's own (appendfsync in its configuration).
 *
 * One node sends at a time, the holder of a lease (`lease`), so a session's deliveries go out in log
 * order; the others only queue. `added` lets the sender pick up what other nodes queued.
 */
export class RedisWebhookQueue implements SharedWebhookQueue {
  /** The stream id of the newest entry this queue has seen (load, added, its own puts). */
  #lastId = '0-0';

  private constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  /** Connects its own client (`url`: REDIS_URL). @throws when Redis cannot be reached. */
  static async connect(url: string, prefix = 'sl:'): Promise<RedisWebhookQueue> {
    return new RedisWebhookQueue(await connectRedis(url), prefix);
  }

  #k(name: string): string {
    return `${this.prefix}webhooks:${name}`;
  }

  async load(): Promise<Delivery[]> {
    return this.#entries('-');
  }

  /** Deliveries other nodes queued since this queue last looked, oldest first. */
  async added(): Promise<Delivery[]> {
    return this.#entries(`(${this.#lastId}`);
  }

  async put(delivery: Delivery): Promise<void> {
    await this.client.eval(PUT, {
      keys: [this.#k('stream'), this.#k('ids'), this.#k('state')],
      arguments: [delivery.key, JSON.stringify(delivery), String(delivery.attempts)],
    });
  }

  async remove(key: string): Promise<void> {
    await this.client.eval(REMOVE, { keys: [this.#k('stream'), this.#k('ids'), this.#k('state')], arguments: [key] });
  }

  async bury(delivery: Delivery): Promise<void> {
    await this.client.eval(BURY, {
      keys: [this.#k('stream'), this.#k('ids'), this.#k('state'), this.#k('dead')],
      arguments: [delivery.key, JSON.stringify(delivery)],
    });
  }

  async deadLetters(): Promise<Delivery[]> {
    const entries = (await this.client.xRange(this.#k('dead'), '-', '+')) ?? [];
    return entries.map((e) => JSON.parse(String(e.message.json)) as Delivery).sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async cursor(sessionId: string): Promise<number> {
    return Number(await this.client.hGet(this.#k('cursors'), sessionId)) || 0;
  }

  async setCursor(sessionId: string, seq: number): Promise<void> {
    // Raised only: two nodes queueing events of one session never move it back.
    await this.client.eval(RAISE_CURSOR, { keys: [this.#k('cursors')], arguments: [sessionId, String(seq)] });
  }

  async cursors(): Promise<string[]> {
    return this.client.hKeys(this.#k('cursors'));
  }

  async dropCursor(sessionId: string): Promise<void> {
    await this.client.hDel(this.#k('cursors'), sessionId);
  }

  async since(): Promise<string> {
    return String(await this.client.eval(SINCE, { keys: [this.#k('since')], arguments: [new Date().toISOString()] }));
  }

  /** Takes or renews the sending lease for `ttlMs`; true while this node holds it. */
  async lease(nodeId: string, ttlMs: number): Promise<boolean> {
    return (await this.client.eval(LEASE, { keys: [this.#k('sender')], arguments: [nodeId, String(ttlMs)] })) === 1;
  }

  /** Gives the lease up at once (a clean shutdown), so another node sends without waiting for it to lapse. */
  async release(nodeId: string): Promise<void> {
    await this.client.eval(RELEASE, { keys: [this.#k('sender')], arguments: [nodeId] });
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  /** The stream's entries from `start` on, each in its newest state, oldest key first. */
  async #entries(start: string): Promise<Delivery[]> {
    const entries = (await this.client.xRange(this.#k('stream'), start, '+')) ?? [];
    if (!entries.length) return [];
    this.#lastId = entries[entries.length - 1]!.id;
    const keys = entries.map((e) => String(e.message.key));
    const states = await this.client.hmGet(this.#k('state'), keys);
    return entries.map((e, i) => JSON.parse(String(states[i] ?? e.message.json)) as Delivery).sort((a, b) => (a.key < b.key ? -1 : 1));
  }
}
