import { randomInt } from 'node:crypto';
import type { Language, PageReport, RedeemResponse } from '@sightline/shared';
import { GoneError, NotFoundError, UnavailableError } from '../errors.js';
import type { SessionService } from '../sessions/SessionService.js';
import { newInviteCode } from '../sessions/ids.js';
import type { LiveSpokenCode, Store } from '../store/Store.js';

export interface InvitePeek {
  role: 'caller' | 'viewer';
  language: Language;
  recording: 'off' | 'on-demand' | 'always';
  /** Whether a tap on Start would still work. */
  valid: boolean;
  reason?: 'used' | 'expired' | 'ended';
}

export interface InviteServiceOptions {
  spokenCodeTtlMs: number;
  /** Live spoken codes in the deployment at most (ratelimit/limits.ts, MAX_LIVE_SPOKEN_CODES). */
  maxLiveSpokenCodes: number;
  viewerTtlMs: number;
  recordingPolicy: InvitePeek['recording'];
}

/**
 * The ways into a session besides the SMS link: the spoken 6-digit code (for when the SMS is late),
 * view-only invites for a doctor or the ambulance crew, and a non-redeeming look at an invite so the
 * page can speak the session's language before the caller taps anything.
 *
 * A session has one live spoken code at a time (a new one replaces the previous), and the
 * deployment at most `maxLiveSpokenCodes`: the guessing bound in docs/security.md rests on both.
 * The session's staff are told of codes replaced by `replaceLiveCodes` (`code:replaced`). A code holds its place
 * under the cap only while it can still let a caller in: it is deleted when its session ends (by
 * anyone, or by the server's timers) or its caller comes in by the link (issue #11).
 */
export class InviteService {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionService,
    private readonly opts: InviteServiceOptions,
  ) {
    sessions.on('event', (sessionId, _status, event) => {
      // Best effort here: a code this misses (a failed write, another node's crash) is found by the sweep when the cap is reached.
      if (event.type === 'ended' || event.type === 'consent_given') this.#dropCodesOf(sessionId).catch(() => undefined);
    });
  }

  /** The centre's recording policy, which the caller is told before giving consent (also at `/c`, before any code). */
  get recordingPolicy(): InvitePeek['recording'] {
    return this.opts.recordingPolicy;
  }

  /**
   * A new spoken code for the session's caller invite; the session's previous code stops working.
   * @throws GoneError once the session has ended; UnavailableError when the deployment's cap of live codes is reached.
   */
  async issueSpokenCode(sessionId: string, actor: string): Promise<{ code: string; expiresAt: string }> {
    const session = await this.sessions.get(sessionId);
    if (session.status === 'ended') throw new GoneError('ended', 'session');
    const previous = (await this.store.listSpokenCodes()).find((c) => c.sessionId === sessionId);
    const issued = await this.#put({ sessionId, inviteCode: session.inviteCode }, previous?.code);
    await this.sessions.record(sessionId, 'code_issued', actor, { expiresAt: issued.expiresAt });
    return issued;
  }

  /**
   * Redeems the caller invite the code stands for, and the code is spent with it. Wrong → 404;
   * expired, used or ended → 410. `report`: what the `/c` page found about its browser at load
   * (logged as for a link's page).
   */
  async redeemSpokenCode(code: string, report?: PageReport): Promise<RedeemResponse> {
    const ref = await this.store.getSpokenCode(code);
    if (!ref) throw new NotFoundError('code');
    if (Date.parse(ref.expiresAt) <= Date.now()) throw new GoneError('expired', 'code');
    const redeemed = await this.sessions.redeem(ref.inviteCode, report);
    await this.store.deleteSpokenCode(code);
    await this.sessions.record(ref.sessionId, 'code_redeemed', 'caller');
    return redeemed;
  }

  /**
   * Replaces every live spoken code with a fresh one (the guessing budget was spent: whatever the
   * guesses learned is void). Each replacement is logged in its session (`code_replaced`, without
   * the code) and the new code pushed to its staff (with `closedUntil`, if code entry is closed till then); an
   * ended session's code is only deleted. Returns how many were replaced.
   */
  async replaceLiveCodes(reason: string, closedUntil?: string): Promise<number> {
    let replaced = 0;
    for (const old of await this.store.listSpokenCodes()) {
      const session = await this.sessions.get(old.sessionId).catch(() => undefined);
      if (!session || session.status === 'ended') {
        await this.store.deleteSpokenCode(old.code);
        continue;
      }
      // While code entry is closed the new code cannot be used: its lifetime starts when entry reopens.
      const fresh = await this.#put({ sessionId: old.sessionId, inviteCode: old.inviteCode }, old.code, closedUntil ? Date.parse(closedUntil) : undefined);
      // The new code goes to the session's staff only (the projections drop it for callers and viewers).
      await this.sessions.record(old.sessionId, 'code_replaced', 'system', { expiresAt: fresh.expiresAt, reason }, {
        push: { name: 'code:replaced', payload: { sessionId: old.sessionId, ...fresh, ...(closedUntil && { closedUntil }) } },
      });
      replaced++;
    }
    return replaced;
  }

  /** Puts a random free code (in place of `replaces`, if given) under the cap, living a code lifetime from `from` (ms, default now). */
  async #put(ref: Omit<LiveSpokenCode, 'code' | 'expiresAt'>, replaces?: string, from = Date.now()): Promise<{ code: string; expiresAt: string }> {
    const expiresAt = new Date(Math.max(from, Date.now()) + this.opts.spokenCodeTtlMs).toISOString();
    for (let attempt = 0; attempt < 20; attempt++) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const put = await this.store.putSpokenCode(code, { ...ref, expiresAt }, { maxLive: this.opts.maxLiveSpokenCodes, replaces });
      if (put === 'ok') return { code, expiresAt };
      if (put === 'full' && (await this.#dropSpentCodes()) > 0) continue;
      if (put === 'full') throw new UnavailableError(`${this.opts.maxLiveSpokenCodes} spoken codes are live, the most there may be; send the link, or try again in a few minutes`);
    }
    throw new UnavailableError('no free spoken code; try again');
  }

  async #dropCodesOf(sessionId: string): Promise<void> {
    for (const c of await this.store.listSpokenCodes()) if (c.sessionId === sessionId) await this.store.deleteSpokenCode(c.code);
  }

  /** Deletes the codes that can no longer let anyone in (session ended or gone, caller invite used); returns how many. */
  async #dropSpentCodes(): Promise<number> {
    let dropped = 0;
    for (const c of await this.store.listSpokenCodes()) {
      const session = await this.store.getSession(c.sessionId);
      const invite = await this.store.getInvite(c.inviteCode);
      if (session?.status !== 'ended' && invite && !invite.redeemedAt) continue;
      await this.store.deleteSpokenCode(c.code);
      dropped++;
    }
    return dropped;
  }

  async inviteViewer(sessionId: string, actor: string, label?: string): Promise<string> {
    const session = await this.sessions.get(sessionId);
    if (session.status === 'ended') throw new GoneError('ended', 'session');
    const now = new Date();
    const code = newInviteCode();
    await this.store.putInvite({
      code,
      sessionId,
      role: 'viewer',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.opts.viewerTtlMs).toISOString(),
    });
    await this.sessions.record(sessionId, 'viewer_invited', actor, label ? { label } : undefined);
    return this.sessions.inviteUrl(code);
  }

  async peek(code: string): Promise<InvitePeek> {
    const invite = await this.store.getInvite(code);
    if (!invite) throw new NotFoundError('invite');
    const session = await this.sessions.get(invite.sessionId);
    const reason =
      session.status === 'ended' ? 'ended' : invite.redeemedAt ? 'used' : Date.parse(invite.expiresAt) <= Date.now() ? 'expired' : undefined;
    return {
      role: invite.role,
      language: session.language,
      recording: this.opts.recordingPolicy,
      valid: reason === undefined,
      ...(reason && { reason }),
    };
  }
}
