import type { SessionEvent, SessionStatus } from '@sightline/shared';
import type {
  InviteRecord,
  NewEvent,
  NodeInfo,
  RedeemOutcome,
  SessionFilter,
  SessionRecord,
  LiveSpokenCode,
  SpokenCodePut,
  SpokenCodeRecord,
  StaffLoginRecord,
  Store,
  UserRecord,
} from './Store.js';
import { matchesFilter } from './filter.js';
import { connectRedis, type RedisClient } from './redisClient.js';

/*
 * Key layout (prefix default "sl:"):
 *   session:<id>        hash { json, status, node? }  status and media node apart, for compare-and-set
 *   session:<id>:seq    counter for event seq
 *   session:<id>:events list of event JSON, in seq order
 *   sessions            zset of ids by createdAt (ms)
 *   invite:<code>       hash { json, openedAt?, redeemedAt? }
 *   user:<name>         string JSON;  users  set of names
 *   login:<id>          a staff login's JSON (expires at the end of its shift)
 *   sms:<providerId>    session id (expires after a week)
 *   sms-status:<providerId>  hash { status, rank }: the message's furthest delivery status (a week)
 *   code:<6 digits>     spoken-code JSON (expires with the code)
 *   codes               zset of live spoken codes by expiry (ms): the cap counts it
 *   node:<id>           a node's heartbeat JSON (expires unless renewed)
 *   <name>              a value the nodes agree on, first writer wins (agreeOn: jwt-secret, analytics-pseudonym-key)
 * Multi-step updates are Lua scripts so they are atomic across nodes.
 */
const CAS_STATUS = `
if redis.call('HGET', KEYS[1], 'status') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'status', ARGV[2]) return 1
end
return 0`;

// An empty ARGV[1] stands for "no node yet".
const CLAIM_NODE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local cur = redis.call('HGET', KEYS[1], 'node') or ''
if cur == ARGV[1] then redis.call('HSET', KEYS[1], 'node', ARGV[2]) return 1 end
return 0`;

const PATCH_JSON = `
local cur = redis.call('HGET', KEYS[1], 'json')
if not cur then return 0 end
local obj = cjson.decode(cur)
for k, v in pairs(cjson.decode(ARGV[1])) do obj[k] = v end
redis.call('HSET', KEYS[1], 'json', cjson.encode(obj))
return 1`;

// ARGV[1] is the event's JSON without seq; seq goes first so the stored line stays canonical.
const APPEND_EVENT = `
local seq = redis.call('INCR', KEYS[1])
local rec = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
redis.call('RPUSH', KEYS[2], rec)
return rec`;

const REDEEM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('HSETNX', KEYS[1], 'redeemedAt', ARGV[1]) == 0 then return 'used' end
return redis.call('HGET', KEYS[1], 'json')`;

// KEYS: the new code, the codes index, the replaced code (or an unused key). ARGV: JSON, expiry ms,
// now ms, the cap, the new code, the replaced code ('' for none). Counted and put in one step.
const PUT_CODE = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 1 then return 'taken' end
local live = redis.call('ZCARD', KEYS[2])
if ARGV[6] ~= '' and redis.call('ZSCORE', KEYS[2], ARGV[6]) then live = live - 1 end
if live >= tonumber(ARGV[4]) then return 'full' end
if ARGV[6] ~= '' then
  redis.call('DEL', KEYS[3])
  redis.call('ZREM', KEYS[2], ARGV[6])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', math.max(1, tonumber(ARGV[2]) - tonumber(ARGV[3])))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[5])
return 'ok'`;
const REMOVE_USER = `
local n = redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return n`;

const ADD_USER = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('SADD', KEYS[2], ARGV[2]) return 1 end
return 0`;

// ARGV: status, rank, ttl seconds. Only a status further along replaces the recorded one.
const ADVANCE_SMS = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'rank') or '0')
if tonumber(ARGV[2]) <= cur then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'rank', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;

// One step, so two nodes starting at once cannot each keep their own value.
const AGREE_ON = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`;

export class RedisStore implements Store {
  readonly kind = 'redis' as const;

  private constructor(
    /** Shared with what else needs Redis in Redis mode (rate limits). */
    readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  static async connect(url: string, prefix = 'sl:'): Promise<RedisStore> {
    return new RedisStore(await connectRedis(url), prefix);
  }

  /**
   * The value every node sharing this Redis agrees on under `name`: `candidate` if none was stored
   * yet, else the stored one (first writer wins, atomically). Kept until deleted (no expiry).
   */
  async agreeOn(name: string, candidate: string): Promise<string> {
    return String(await this.client.eval(AGREE_ON, { keys: [this.#k(name)], arguments: [candidate] }));
  }

  #k(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async insertSession(session: SessionRecord): Promise<void> {
    const { status, mediaNode, ...rest } = session;
    const added = await this.client.hSetNX(this.#k('session', session.id), 'json', JSON.stringify(rest));
    if (!added) throw new Error(`session ${session.id} exists`);
    await this.client
      .multi()
      .hSet(this.#k('session', session.id), { status, ...(mediaNode && { node: mediaNode }) })
      .zAdd(this.#k('sessions'), { score: Date.parse(session.createdAt), value: session.id })
      .exec();
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const h = await this.client.hGetAll(this.#k('session', id));
    if (!h['json'] || !h['status']) return undefined;
    const session: SessionRecord = { ...(JSON.parse(h['json']) as Omit<SessionRecord, 'status'>), status: h['status'] as SessionStatus };
    if (h['node']) session.mediaNode = h['node'];
    return session;
  }

  async claimMediaNode(id: string, expected: string | undefined, next: string): Promise<boolean> {
    return (await this.client.eval(CLAIM_NODE, { keys: [this.#k('session', id)], arguments: [expected ?? '', next] })) === 1;
  }

  async putNode(node: NodeInfo, ttlMs: number): Promise<void> {
    await this.client.set(this.#k('node', node.id), JSON.stringify(node), { PX: ttlMs });
  }

  async listNodes(): Promise<NodeInfo[]> {
    const keys: string[] = [];
    for await (const batch of this.client.scanIterator({ MATCH: this.#k('node', '*'), COUNT: 100 })) keys.push(...batch);
    if (keys.length === 0) return [];
    const values = await this.client.mGet(keys);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as NodeInfo);
  }

  async removeNode(id: string): Promise<void> {
    await this.client.del(this.#k('node', id));
  }

  async patchSession(id: string, patch: Partial<Omit<SessionRecord, 'id' | 'status' | 'mediaNode'>>): Promise<void> {
    await this.client.eval(PATCH_JSON, { keys: [this.#k('session', id)], arguments: [JSON.stringify(patch)] });
  }

  async compareAndSetStatus(id: string, expected: SessionStatus, next: SessionStatus): Promise<boolean> {
    const r = await this.client.eval(CAS_STATUS, { keys: [this.#k('session', id)], arguments: [expected, next] });
    return r === 1;
  }

  async listSessions(filter: SessionFilter): Promise<SessionRecord[]> {
    const min = filter.from ? Date.parse(filter.from) : '-inf';
    const max = filter.to ? Date.parse(filter.to) : '+inf';
    const ids = await this.client.zRangeByScore(this.#k('sessions'), min, max);
    const found = await Promise.all(ids.map((id) => this.getSession(id)));
    return found.filter((s): s is SessionRecord => s !== undefined && matchesFilter(s, filter)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async appendEvent(sessionId: string, event: NewEvent): Promise<SessionEvent> {
    const rec = await this.client.eval(APPEND_EVENT, {
      keys: [this.#k('session', sessionId, 'seq'), this.#k('session', sessionId, 'events')],
      arguments: [JSON.stringify(event)],
    });
    return JSON.parse(String(rec)) as SessionEvent;
  }

  async listEvents(sessionId: string): Promise<SessionEvent[]> {
    const lines = await this.client.lRange(this.#k('session', sessionId, 'events'), 0, -1);
    return lines.map((l) => JSON.parse(l) as SessionEvent);
  }

  async putInvite(invite: InviteRecord): Promise<void> {
    const { openedAt, redeemedAt, ...rest } = invite;
    const fields: Record<string, string> = { json: JSON.stringify(rest) };
    if (openedAt) fields['openedAt'] = openedAt;
    if (redeemedAt) fields['redeemedAt'] = redeemedAt;
    const key = this.#k('invite', invite.code);
    await this.client.multi().del(key).hSet(key, fields).pExpireAt(key, inviteKeepUntil(invite)).exec();
  }

  async getInvite(code: string): Promise<InviteRecord | undefined> {
    const h = await this.client.hGetAll(this.#k('invite', code));
    if (!h['json']) return undefined;
    const invite = JSON.parse(h['json']) as InviteRecord;
    if (h['openedAt']) invite.openedAt = h['openedAt'];
    if (h['redeemedAt']) invite.redeemedAt = h['redeemedAt'];
    return invite;
  }

  async markInviteOpened(code: string, at: string): Promise<boolean> {
    const key = this.#k('invite', code);
    if (!(await this.client.exists(key))) return false;
    return (await this.client.hSetNX(key, 'openedAt', at)) === 1;
  }

  async redeemInvite(code: string, at: string): Promise<RedeemOutcome> {
    const r = String(await this.client.eval(REDEEM, { keys: [this.#k('invite', code)], arguments: [at] }));
    if (r === 'missing' || r === 'used') return { ok: false, reason: r };
    return { ok: true, invite: { ...(JSON.parse(r) as InviteRecord), redeemedAt: at } };
  }

  async putSpokenCode(code: string, ref: SpokenCodeRecord, opts: { maxLive: number; replaces?: string }): Promise<SpokenCodePut> {
    // Redis expires the key with the code, so a taken code frees itself; the index drops it by score.
    const replaces = opts.replaces ?? '';
    const r = await this.client.eval(PUT_CODE, {
      keys: [this.#k('code', code), this.#k('codes'), this.#k('code', replaces)],
      arguments: [JSON.stringify(ref), String(Date.parse(ref.expiresAt)), String(Date.now()), String(opts.maxLive), code, replaces],
    });
    return String(r) as SpokenCodePut;
  }

  async getSpokenCode(code: string): Promise<SpokenCodeRecord | undefined> {
    const json = await this.client.get(this.#k('code', code));
    return json ? (JSON.parse(json) as SpokenCodeRecord) : undefined;
  }

  async listSpokenCodes(): Promise<LiveSpokenCode[]> {
    const codes = await this.client.zRangeByScore(this.#k('codes'), Date.now() + 1, '+inf');
    if (codes.length === 0) return [];
    const values = await this.client.mGet(codes.map((c) => this.#k('code', c)));
    return codes.flatMap((code, i) => (values[i] ? [{ ...(JSON.parse(values[i]!) as SpokenCodeRecord), code }] : []));
  }

  async deleteSpokenCode(code: string): Promise<void> {
    await this.client.multi().del(this.#k('code', code)).zRem(this.#k('codes'), code).exec();
  }

  async putSmsRef(providerMessageId: string, sessionId: string): Promise<void> {
    // Delivery reports arrive within hours; a week is plenty.
    await this.client.set(this.#k('sms', providerMessageId), sessionId, { EX: 7 * 24 * 3600 });
  }

  async getSmsRef(providerMessageId: string): Promise<string | undefined> {
    return (await this.client.get(this.#k('sms', providerMessageId))) ?? undefined;
  }

  async advanceSmsStatus(providerMessageId: string, status: string, rank: number): Promise<boolean> {
    const r = await this.client.eval(ADVANCE_SMS, {
      keys: [this.#k('sms-status', providerMessageId)],
      arguments: [status, String(rank), String(7 * 24 * 3600)],
    });
    return r === 1;
  }

  async getSmsStatus(providerMessageId: string): Promise<string | undefined> {
    return (await this.client.hGet(this.#k('sms-status', providerMessageId), 'status')) ?? undefined;
  }

  async firstSmsCallback(providerMessageId: string, status: string): Promise<boolean> {
    const key = this.#k('sms-callbacks', providerMessageId);
    const [added] = await this.client
      .multi()
      .sAdd(key, status)
      .expire(key, 7 * 24 * 3600)
      .exec();
    return Number(added) === 1;
  }

  async addUser(user: UserRecord): Promise<boolean> {
    const r = await this.client.eval(ADD_USER, {
      keys: [this.#k('user', user.username), this.#k('users')],
      arguments: [JSON.stringify(user), user.username],
    });
    return r === 1;
  }

  async getUser(username: string): Promise<UserRecord | undefined> {
    const json = await this.client.get(this.#k('user', username));
    return json ? (JSON.parse(json) as UserRecord) : undefined;
  }

  async countUsers(): Promise<number> {
    return this.client.sCard(this.#k('users'));
  }

  async removeUser(username: string): Promise<boolean> {
    const r = await this.client.eval(REMOVE_USER, { keys: [this.#k('user', username), this.#k('users')], arguments: [username] });
    return r === 1;
  }

  async putStaffLogin(id: string, login: StaffLoginRecord, ttlMs: number): Promise<void> {
    await this.client.set(this.#k('login', id), JSON.stringify(login), { PX: Math.max(1, Math.ceil(ttlMs)) });
  }

  async getStaffLogin(id: string): Promise<StaffLoginRecord | undefined> {
    const json = await this.client.get(this.#k('login', id));
    return json ? (JSON.parse(json) as StaffLoginRecord) : undefined;
  }

  async deleteStaffLogin(id: string): Promise<boolean> {
    return (await this.client.del(this.#k('login', id))) === 1;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Invites are kept a day past expiry so a late redeem answers 410 (gone) rather than 404. */
function inviteKeepUntil(invite: InviteRecord): number {
  return Date.parse(invite.expiresAt) + 24 * 3600_000;
}
