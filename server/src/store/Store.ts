import type { SessionEvent, SessionStatus, SessionSummary, StaffRole } from '@sightline/shared';

/**
 * The persistence seam. Two real implementations: MemoryStore (single node, the default) and
 * RedisStore (REDIS_URL). Both pass Store.contract.ts. Anything needing atomicity across nodes
 * (seq numbers, one-time redemption, status compare-and-set) is a single operation here.
 */
export interface SessionRecord extends Omit<SessionSummary, 'hasRecording'> {
  endReason?: string;
  /** The caller's current invite code (resends reuse it). */
  inviteCode: string;
  /** Several nodes: the node whose mediasoup router carries this session's media. */
  mediaNode?: string;
  /** The newest SMS sent for this session (provider message id, or a local id): its delivery decides the status before the link is opened. */
  smsMessageId?: string;
}

/** A node's heartbeat in the cluster registry. */
export interface NodeInfo {
  id: string;
  /** Live consumers on the node: what placement balances. */
  load: number;
  rooms: number;
  at: string;
}

export type InviteRole = 'caller' | 'viewer';

export interface InviteRecord {
  code: string;
  sessionId: string;
  role: InviteRole;
  createdAt: string;
  expiresAt: string;
  openedAt?: string;
  redeemedAt?: string;
}

export interface SpokenCodeRecord {
  sessionId: string;
  inviteCode: string;
  expiresAt: string;
}

export type SpokenCodePut = 'ok' | 'taken' | 'full';
export type LiveSpokenCode = SpokenCodeRecord & { code: string };

export interface UserRecord {
  username: string;
  role: StaffRole;
  passwordHash: string;
  createdAt: string;
}

/**
 * One staff login (auth/StaffLogins.ts): the chain of tokens a login and its refreshes hand out.
 * Deleting it (logout) revokes every token of the chain on every node.
 */
export interface StaffLoginRecord {
  username: string;
  /** When the password was checked (ms since epoch): the shift's absolute lifetime runs from here. */
  authAt: number;
  /** When the newest token of this login runs out (ms since epoch); sockets of the login live until then. */
  expiresAt: number;
}

export interface SessionFilter {
  dispatcher?: string;
  status?: SessionStatus;
  incidentRef?: string;
  /** Inclusive bounds on createdAt (ISO strings). */
  from?: string;
  to?: string;
}

export type NewEvent = Omit<SessionEvent, 'seq'>;

export type RedeemOutcome = { ok: true; invite: InviteRecord } | { ok: false; reason: 'missing' | 'used' };

export interface Store {
  readonly kind: 'memory' | 'redis';

  insertSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Sets fields other than status and media node. */
  patchSession(id: string, patch: Partial<Omit<SessionRecord, 'id' | 'status' | 'mediaNode'>>): Promise<void>;
  /** Atomically sets status to `next` if it is still `expected`; false when someone else moved it first. */
  compareAndSetStatus(id: string, expected: SessionStatus, next: SessionStatus): Promise<boolean>;
  /** Atomically moves the session's media to node `next` if it is still on `expected` (takeover). */
  claimMediaNode(id: string, expected: string | undefined, next: string): Promise<boolean>;
  listSessions(filter: SessionFilter): Promise<SessionRecord[]>;

  /** Appends with the next seq (1-based, gap-free per session) and returns the stored event. */
  appendEvent(sessionId: string, event: NewEvent): Promise<SessionEvent>;
  listEvents(sessionId: string): Promise<SessionEvent[]>;

  putInvite(invite: InviteRecord): Promise<void>;
  getInvite(code: string): Promise<InviteRecord | undefined>;
  /** Records the first opening of the link; true if this call was the first. */
  markInviteOpened(code: string, at: string): Promise<boolean>;
  /** One-time: exactly one concurrent caller gets ok. Expiry is the caller's business. */
  redeemInvite(code: string, at: string): Promise<RedeemOutcome>;

  /**
   * A spoken 6-digit code standing for a session's caller invite, until `ref.expiresAt`. In one
   * step: `taken` when the code is live already (the caller retries with another), `full` when
   * `maxLive` codes are live (`replaces`, a live code deleted in the same step, frees its place),
   * else `ok`.
   */
  putSpokenCode(code: string, ref: SpokenCodeRecord, opts: { maxLive: number; replaces?: string }): Promise<SpokenCodePut>;
  getSpokenCode(code: string): Promise<SpokenCodeRecord | undefined>;
  /** Every live (unexpired) spoken code. */
  listSpokenCodes(): Promise<LiveSpokenCode[]>;
  deleteSpokenCode(code: string): Promise<void>;

  /** Remembers which session an SMS provider's message id belongs to (for delivery callbacks). */
  putSmsRef(providerMessageId: string, sessionId: string): Promise<void>;
  getSmsRef(providerMessageId: string): Promise<string | undefined>;
  /**
   * Records a message's delivery status if `rank` is above the one recorded (none = 0), in one
   * step: of two racing callbacks the one further along wins. True when recorded.
   */
  advanceSmsStatus(providerMessageId: string, status: string, rank: number): Promise<boolean>;
  getSmsStatus(providerMessageId: string): Promise<string | undefined>;
  /**
   * True the first time a message's callback with this status is seen, false for a repeat (a replay,
   * or the provider retrying), on any node. Kept as long as the message's status (7 days).
   */
  firstSmsCallback(providerMessageId: string, status: string): Promise<boolean>;

  /** Inserts unless the name is taken; false when it was. */
  addUser(user: UserRecord): Promise<boolean>;
  getUser(username: string): Promise<UserRecord | undefined>;
  countUsers(): Promise<number>;
  /** Deletes the user; false when there was none. Their logins die at their next check (StaffLogins). */
  removeUser(username: string): Promise<boolean>;

  /** Keeps a login until `ttlMs` from now (its shift's end), replacing what was there. */
  putStaffLogin(id: string, login: StaffLoginRecord, ttlMs: number): Promise<void>;
  getStaffLogin(id: string): Promise<StaffLoginRecord | undefined>;
  /** Revokes a login at once; false when it was gone already. */
  deleteStaffLogin(id: string): Promise<boolean>;

  /** Publishes a node's heartbeat; it drops out of `listNodes` when not renewed within `ttlMs`. */
  putNode(node: NodeInfo, ttlMs: number): Promise<void>;
  listNodes(): Promise<NodeInfo[]>;
  /** A node leaving on purpose (shutdown) drops out at once rather than when its heartbeat lapses. */
  removeNode(id: string): Promise<void>;

  close(): Promise<void>;
}
