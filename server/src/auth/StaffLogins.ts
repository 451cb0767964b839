import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { SignOutReason, StaffRole } from '@sightline/shared';
import { UnauthorizedError } from '../errors.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import type { StaffLoginRecord, Store } from '../store/Store.js';
import type { Principal, TokenService } from './TokenService.js';

export type { SignOutReason };

/** A staff token whose login no longer holds, with why (shared SIGN_OUT_REASONS; the console is told the same). */
export class RevokedError extends UnauthorizedError {
  constructor(readonly reason: SignOutReason) {
    super(reason === 'expired' ? 'invalid or expired token' : `token revoked (${reason})`);
  }
}

type StaffPrincipal = Extract<Principal, { typ: 'staff' }>;

interface StaffLoginsEvents {
  /** A login was revoked here (logout): every node's sockets of that login are cut by the listener. */
  revoked: [sid: string, reason: SignOutReason];
}

/**
 * Staff logins, so that staff access can be taken back (issue #11, item 6). A password check starts
 * a login, kept in the store under a random id (`sid`, in every token of the login) until the end
 * of its shift: `shiftMs` (STAFF_SHIFT_HOURS, 12 h by default) after the password was typed, however
 * often it is refreshed. Every staff request and every staff socket (at connect and then every few
 * seconds) is checked here against the store, so in Redis mode a logout or a user removal made
 * through any node, or by the command line, holds on all of them:
 *  - logout deletes the login: its tokens are refused at once everywhere;
 *  - a removed user, or one removed and added again since the login, is refused at the next check;
 *  - a refresh re-reads the user (role included) and never reaches past the shift's end.
 * Cost: two store reads per staff request (the login and the user).
 */
export class StaffLogins extends EventEmitter<StaffLoginsEvents> {
  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    private readonly security: SecurityEvents,
    private readonly shiftMs: number,
  ) {
    super();
  }

  /** After a successful password check: a new login and its first token. */
  async start(user: { username: string; role: StaffRole }): Promise<string> {
    const sid = randomBytes(16).toString('base64url');
    const authAt = Date.now();
    return this.#issue({ typ: 'staff', username: user.username, role: user.role, sid }, { username: user.username, authAt, expiresAt: 0 });
  }

  /** A still-valid token of a live login, whose user still exists with the same role, buys the next one. */
  async refresh(principal: StaffPrincipal): Promise<string> {
    const { login } = await this.#live(principal);
    return this.#issue(principal, login);
  }

  /** Revokes this login (every token of its chain), on every node; the login's sockets are cut. */
  async logout(principal: StaffPrincipal): Promise<void> {
    await this.store.deleteStaffLogin(principal.sid);
    this.security.record({ kind: 'token_revoked', reason: 'logged_out', username: principal.username });
    this.emit('revoked', principal.sid, 'logged_out');
  }

  /** Throws RevokedError unless the login is live and its user still exists with this role. */
  async check(principal: StaffPrincipal): Promise<void> {
    await this.#live(principal);
  }

  /**
   * Until when a socket of this login may stay (ms since epoch): the newest token's end. Throws
   * RevokedError when the login no longer holds.
   */
  async socketDeadline(principal: StaffPrincipal): Promise<number> {
    return (await this.#live(principal)).login.expiresAt;
  }

  async #live(principal: StaffPrincipal): Promise<{ login: StaffLoginRecord }> {
    const [login, user] = await Promise.all([this.store.getStaffLogin(principal.sid), this.store.getUser(principal.username)]);
    if (!login || login.username !== principal.username) throw new RevokedError('logged_out');
    if (Date.now() >= login.authAt + this.shiftMs) throw new RevokedError('shift_over');
    // A user removed, removed and added again (perhaps for someone else) since this login, or given another role.
    if (!user || Date.parse(user.createdAt) > login.authAt || user.role !== principal.role) throw new RevokedError('revoked');
    return { login };
  }

  async #issue(principal: StaffPrincipal, login: StaffLoginRecord): Promise<string> {
    const shiftEnd = login.authAt + this.shiftMs;
    if (Date.now() >= shiftEnd - 1000) throw new RevokedError('shift_over');
    const token = this.tokens.issue(principal, { notAfter: Math.floor(shiftEnd / 1000) });
    const expiresAt = this.tokens.verifyWithExpiry(token, ['staff']).expiresAt;
    await this.store.putStaffLogin(principal.sid, { ...login, expiresAt }, shiftEnd - Date.now());
    return token;
  }
}
