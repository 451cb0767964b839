import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SessionEvent, SessionStatus } from '@sightline/shared';
import type {
  InviteRecord,
  LiveSpokenCode,
  NewEvent,
  NodeInfo,
  RedeemOutcome,
  SessionFilter,
  SessionRecord,
  SpokenCodePut,
  SpokenCodeRecord,
  StaffLoginRecord,
  Store,
  UserRecord,
} from './Store.js';
import { matchesFilter } from './filter.js';

/**
 * In-process store for a single node. Copies on the way in and out so callers cannot mutate state.
 * Sessions and their events are rebuilt at start from their logs in DATA_DIR (restoreMemoryIndex.ts);
 * users are kept in a users file, loaded from it and saved to it (the command line adds and
 * removes users there); invites, codes and logins die with the process. A running server reads the file again when it
 * changes, so `npx sightline user remove` takes effect without a restart.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  #sessions = new Map<string, SessionRecord>();
  #events = new Map<string, SessionEvent[]>();
  #invites = new Map<string, InviteRecord>();
  #users = new Map<string, UserRecord>();
  #smsRefs = new Map<string, string>();
  #smsStatuses = new Map<string, { status: string; rank: number }>();
  /** `<message id> <status>` of every delivery callback seen (repeats are refused). */
  #smsCallbacks = new Set<string>();
  #codes = new Map<string, SpokenCodeRecord>();
  #nodes = new Map<string, { node: NodeInfo; until: number }>();
  #logins = new Map<string, { login: StaffLoginRecord; until: number }>();
  /** The users file's mtime when last read or written (0: none). */
  #usersMtime = 0;

  constructor(private readonly usersFile?: string) {
    if (usersFile && existsSync(usersFile)) {
      this.#loadUsers(readFileSync(usersFile, 'utf8'), statSync(usersFile).mtimeMs);
    }
  }

  #loadUsers(json: string, mtimeMs: number): void {
    this.#users = new Map((JSON.parse(json) as UserRecord[]).map((u) => [u.username, u]));
    this.#usersMtime = mtimeMs;
  }

  /** Another process (the command line) changed the users file: read it again. */
  async #freshUsers(): Promise<void> {
    if (!this.usersFile) return;
    const mtimeMs = await stat(this.usersFile).then(
      (st) => st.mtimeMs,
      () => 0,
    );
    if (mtimeMs === this.#usersMtime) return;
    if (mtimeMs === 0) {
      this.#users.clear();
      this.#usersMtime = 0;
    } else this.#loadUsers(readFileSync(this.usersFile, 'utf8'), mtimeMs);
  }

  async #saveUsers(): Promise<void> {
    if (!this.usersFile) return;
    await mkdir(path.dirname(this.usersFile), { recursive: true });
    const tmp = `${this.usersFile}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify([...this.#users.values()], null, 2), { mode: 0o600 });
    await rename(tmp, this.usersFile);
    this.#usersMtime = (await stat(this.usersFile)).mtimeMs;
  }

  async insertSession(session: SessionRecord): Promise<void> {
    if (this.#sessions.has(session.id)) throw new Error(`session ${session.id} exists`);
    this.#sessions.set(session.id, { ...session });
  }

  /**
   * Puts back a session and its events as a log on disk holds them (restoreMemoryIndex.ts, at start):
   * later events are numbered on from the last one. Replaces whatever was there under that id.
   */
  restoreSession(session: SessionRecord, events: SessionEvent[]): void {
    this.#sessions.set(session.id, { ...session });
    this.#events.set(
      session.id,
      events.map((e) => ({ ...e })),
    );
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const s = this.#sessions.get(id);
    return s && { ...s };
  }

  async claimMediaNode(id: string, expected: string | undefined, next: string): Promise<boolean> {
    const s = this.#sessions.get(id);
    if (!s || s.mediaNode !== expected) return false;
    s.mediaNode = next;
    return true;
  }

  async putNode(node: NodeInfo, ttlMs: number): Promise<void> {
    this.#nodes.set(node.id, { node: { ...node }, until: Date.now() + ttlMs });
  }

  async listNodes(): Promise<NodeInfo[]> {
    const now = Date.now();
    return [...this.#nodes.values()].filter((n) => n.until > now).map((n) => ({ ...n.node }));
  }

  async removeNode(id: string): Promise<void> {
    this.#nodes.delete(id);
  }

  async patchSession(id: string, patch: Partial<Omit<SessionRecord, 'id' | 'status' | 'mediaNode'>>): Promise<void> {
    const s = this.#sessions.get(id);
    if (s) Object.assign(s, patch);
  }

  async compareAndSetStatus(id: string, expected: SessionStatus, next: SessionStatus): Promise<boolean> {
    const s = this.#sessions.get(id);
    if (!s || s.status !== expected) return false;
    s.status = next;
    return true;
  }

  async listSessions(filter: SessionFilter): Promise<SessionRecord[]> {
    return [...this.#sessions.values()]
      .filter((s) => matchesFilter(s, filter))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((s) => ({ ...s }));
  }

  async appendEvent(sessionId: string, event: NewEvent): Promise<SessionEvent> {
    const list = this.#events.get(sessionId) ?? [];
    const stored = { ...event, seq: list.length + 1 };
    list.push(stored);
    this.#events.set(sessionId, list);
    return { ...stored };
  }

  async listEvents(sessionId: string): Promise<SessionEvent[]> {
    return (this.#events.get(sessionId) ?? []).map((e) => ({ ...e }));
  }

  async putInvite(invite: InviteRecord): Promise<void> {
    this.#invites.set(invite.code, { ...invite });
  }

  async getInvite(code: string): Promise<InviteRecord | undefined> {
    const i = this.#invites.get(code);
    return i && { ...i };
  }

  async markInviteOpened(code: string, at: string): Promise<boolean> {
    const i = this.#invites.get(code);
    if (!i || i.openedAt) return false;
    i.openedAt = at;
    return true;
  }

  async redeemInvite(code: string, at: string): Promise<RedeemOutcome> {
    const i = this.#invites.get(code);
    if (!i) return { ok: false, reason: 'missing' };
    if (i.redeemedAt) return { ok: false, reason: 'used' };
    i.redeemedAt = at;
    return { ok: true, invite: { ...i } };
  }

  async putSpokenCode(code: string, ref: SpokenCodeRecord, opts: { maxLive: number; replaces?: string }): Promise<SpokenCodePut> {
    this.#dropExpiredCodes();
    if (this.#codes.has(code)) return 'taken';
    const freed = opts.replaces !== undefined && this.#codes.has(opts.replaces) ? 1 : 0;
    if (this.#codes.size - freed >= opts.maxLive) return 'full';
    if (opts.replaces !== undefined) this.#codes.delete(opts.replaces);
    this.#codes.set(code, { ...ref });
    return 'ok';
  }

  async getSpokenCode(code: string): Promise<SpokenCodeRecord | undefined> {
    const c = this.#codes.get(code);
    return c && { ...c };
  }

  async listSpokenCodes(): Promise<LiveSpokenCode[]> {
    this.#dropExpiredCodes();
    return [...this.#codes].map(([code, ref]) => ({ ...ref, code }));
  }

  async deleteSpokenCode(code: string): Promise<void> {
    this.#codes.delete(code);
  }

  /** Expired codes go, so they neither count against the cap nor pile up. */
  #dropExpiredCodes(): void {
    const now = Date.now();
    for (const [code, ref] of this.#codes) if (Date.parse(ref.expiresAt) <= now) this.#codes.delete(code);
  }

  async putSmsRef(providerMessageId: string, sessionId: string): Promise<void> {
    this.#smsRefs.set(providerMessageId, sessionId);
  }

  async getSmsRef(providerMessageId: string): Promise<string | undefined> {
    return this.#smsRefs.get(providerMessageId);
  }

  async advanceSmsStatus(providerMessageId: string, status: string, rank: number): Promise<boolean> {
    if (rank <= (this.#smsStatuses.get(providerMessageId)?.rank ?? 0)) return false;
    this.#smsStatuses.set(providerMessageId, { status, rank });
    return true;
  }

  async getSmsStatus(providerMessageId: string): Promise<string | undefined> {
    return this.#smsStatuses.get(providerMessageId)?.status;
  }

  async firstSmsCallback(providerMessageId: string, status: string): Promise<boolean> {
    const key = `${providerMessageId} ${status}`;
    if (this.#smsCallbacks.has(key)) return false;
    this.#smsCallbacks.add(key);
    return true;
  }

  async addUser(user: UserRecord): Promise<boolean> {
    await this.#freshUsers();
    if (this.#users.has(user.username)) return false;
    this.#users.set(user.username, { ...user });
    await this.#saveUsers();
    return true;
  }

  async getUser(username: string): Promise<UserRecord | undefined> {
    await this.#freshUsers();
    const u = this.#users.get(username);
    return u && { ...u };
  }

  async countUsers(): Promise<number> {
    await this.#freshUsers();
    return this.#users.size;
  }

  async removeUser(username: string): Promise<boolean> {
    await this.#freshUsers();
    if (!this.#users.delete(username)) return false;
    await this.#saveUsers();
    return true;
  }

  async putStaffLogin(id: string, login: StaffLoginRecord, ttlMs: number): Promise<void> {
    this.#logins.set(id, { login: { ...login }, until: Date.now() + ttlMs });
  }

  async getStaffLogin(id: string): Promise<StaffLoginRecord | undefined> {
    const entry = this.#logins.get(id);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.#logins.delete(id);
      return undefined;
    }
    return { ...entry.login };
  }

  async deleteStaffLogin(id: string): Promise<boolean> {
    const live = (await this.getStaffLogin(id)) !== undefined;
    this.#logins.delete(id);
    return live;
  }

  async close(): Promise<void> {}
}
