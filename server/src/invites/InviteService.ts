import { randomInt } from 'node:crypto';
import type { BrowserFamily, InvitePeek, Language, OpenedResponse, PageReport, RecordingPolicy, RedeemResponse, UnsupportedReason } from '@sightline/shared';
import type { Principal, TokenService } from '../auth/TokenService.js';
import { DEFAULT_CENTRE_NAME } from '../config.js';
import { ForbiddenError, GoneError, NotFoundError, UnavailableError } from '../errors.js';
import type { SessionService } from '../sessions/SessionService.js';
import { newInviteCode, newSessionId } from '../sessions/ids.js';
import type { SmsDispatch } from '../sms/SmsDispatch.js';
import type { InviteRecord, LiveSpokenCode, SessionRecord, Store } from '../store/Store.js';

export interface InviteServiceOptions {
  /** PUBLIC_URL: what invite links start with. */
  publicUrl: string;
  /** How long a caller's invite lasts, ms (INVITE_TTL_MINUTES). */
  inviteTtlMs: number;
  /** The clock of caller invites (tests move it). */
  now?: () => Date;
  spokenCodeTtlMs: number;
  /** Live spoken codes in the deployment at most (ratelimit/limits.ts, MAX_LIVE_SPOKEN_CODES). */
  maxLiveSpokenCodes: number;
  viewerTtlMs: number;
  recordingPolicy: RecordingPolicy;
  /** The centre named on the caller page (config CENTRE_NAME); "AMK" when not given. */
  centreName?: string;
}

/** The link of an invite: `${publicUrl}/j/<code>`. */
export function inviteUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/j/${code}`;
}

/**
 * The ways into a session: the caller's invite (made with the session, its link sent by SMS), the
 * page's opening report and the pre-tap credential, the one-time redemption for a session-bound
 * token (the tap), the spoken 6-digit code (for when the SMS is late), view-only invites for a
 * doctor or the ambulance crew, and a non-redeeming look at an invite so the page can speak the
 * session's language before the caller taps anything.
 *
 * A session has one live spoken code at a time (a new one replaces the previous), and the
 * deployment at most `maxLiveSpokenCodes`: the guessing bound in docs/security.md rests on both.
 * The session's staff are told of codes replaced by `replaceLiveCodes` (`code:replaced`). A code holds its place
 * under the cap only while it can still let a caller in: it is deleted when its session ends (by
 * anyone, or by the server's timers) or its caller comes in by the link (issue #11).
 */
export class InviteService {
  readonly #now: () => Date;

  constructor(
    private readonly store: Store,
    private readonly sessions: SessionService,
    private readonly sms: Pick<SmsDispatch, 'send'>,
    private readonly tokens: TokenService,
    private readonly opts: InviteServiceOptions,
  ) {
    this.#now = opts.now ?? (() => new Date());
    sessions.on('event', (sessionId, _status, event) => {
      // Best effort here: a code this misses (a failed write, another node's crash) is found by the sweep when the cap is reached.
      if (event.type === 'ended' || event.type === 'consent_given') this.#dropCodesOf(sessionId).catch(() => undefined);
    });
  }

  inviteUrl(code: string): string {
    return inviteUrl(this.opts.publicUrl, code);
  }

  /** When the invite stops working (ISO 8601), or undefined for an unknown one: the console warns before it. */
  async inviteExpiresAt(code: string): Promise<string | undefined> {
    return (await this.store.getInvite(code))?.expiresAt;
  }

  /**
   * A new session with its caller invite (lasting `inviteTtlMs`), whose link then goes out by SMS
   * (a failed send is logged, never thrown). Returns the session as it stands after the send.
   */
  async create(dispatcher: string, req: { phone: string; incidentRef?: string; language?: Language }): Promise<SessionRecord> {
    const invite = this.#invite(newInviteCode(), newSessionId(), 'caller', this.#now());
    await this.store.putInvite(invite);
    const session = await this.sessions.create(dispatcher, req, { id: invite.sessionId, inviteCode: invite.code, createdAt: invite.createdAt });
    await this.sms.send(session, `dispatcher:${dispatcher}`);
    return (await this.store.getSession(session.id)) ?? session;
  }

  /**
   * The caller's page has loaded and says so: its script's POST, which link previewers and scanners
   * (HEAD, or a GET that runs nothing) never send. Records `link_opened` once per invite, with the
   * browser family, and `browser_unsupported` (details `reason`, `browser`) when the page found that
   * this browser cannot send live video: once per family and reason, so reloads add nothing. Never
   * redeems. A viewer invite's page records nothing. A spent or expired invite's report is refused
   * and writes nothing: its holder's part is over (a reload after the tap reports in vain).
   * Returns a pre-tap credential (issue #12) for a caller invite whose browser can stream: it lives
   * until the invite expires, at most TokenService's pre-tap lifetime (10 min), and lets the page set
   * up its send transport before the tap, nothing else (access.ts).
   * @throws NotFoundError for an unknown invite; GoneError once the session has ended, or the invite is used or expired.
   */
  async opened(code: string, report: PageReport): Promise<OpenedResponse | undefined> {
    const invite = await this.store.getInvite(code);
    if (!invite) throw new NotFoundError('invite');
    const session = await this.sessions.get(invite.sessionId);
    if (session.status === 'ended') throw new GoneError('ended', 'session');
    if (invite.redeemedAt) throw new GoneError('used');
    if (Date.parse(invite.expiresAt) <= this.#now().getTime()) throw new GoneError('expired');
    if (invite.role !== 'caller') return undefined;
    if (await this.store.markInviteOpened(code, this.#now().toISOString())) {
      await this.sessions.transition(invite.sessionId, 'link_opened', 'caller', { browser: report.browser });
    }
    if (report.unsupported) {
      await this.#noteUnsupported(invite.sessionId, report.browser, report.unsupported);
      return undefined;
    }
    const token = this.tokens.issue(
      { typ: 'pretap', sessionId: invite.sessionId, invite: code },
      { notAfter: Math.floor(Date.parse(invite.expiresAt) / 1000) },
    );
    return { pretap: { token, sessionId: invite.sessionId } };
  }

  /** Logs that the caller's browser cannot send live video, unless this family and reason are logged already. */
  async #noteUnsupported(sessionId: string, browser: BrowserFamily, reason: UnsupportedReason): Promise<void> {
    const known = (await this.sessions.events(sessionId)).some(
      (e) => e.type === 'browser_unsupported' && e.details?.['reason'] === reason && e.details?.['browser'] === browser,
    );
    if (!known) await this.sessions.record(sessionId, 'browser_unsupported', 'caller', { reason, browser });
  }

  /**
   * The session of a caller invite that is still unspent: what its holder may do before the tap
   * (send a photo from a browser that cannot stream) without using the invite up, so the same
   * link still works in a real browser afterwards.
   * @throws NotFoundError for an unknown or a viewer's invite; GoneError once used, expired or ended.
   */
  async beforeTap(code: string): Promise<SessionRecord> {
    const invite = await this.store.getInvite(code);
    if (!invite || invite.role !== 'caller') throw new NotFoundError('invite');
    const session = await this.sessions.get(invite.sessionId);
    if (session.status === 'ended') throw new GoneError('ended');
    if (invite.redeemedAt) throw new GoneError('used');
    if (Date.parse(invite.expiresAt) <= this.#now().getTime()) throw new GoneError('expired');
    return session;
  }

  /**
   * The explicit tap: one-time redemption of the invite for a session-bound token. `report`: the
   * page's report when it had no other chance to send it (the spoken-code page knows no invite before).
   */
  async redeem(code: string, report?: PageReport): Promise<RedeemResponse> {
    return (await this.#redeem(code, report)).response;
  }

  /**
   * The tap over the socket the page opened before it (issue #12): the same redemption, of the invite
   * the pre-tap credential names; returns the caller's principal and its token's end for the socket.
   * @throws as `redeem`; ForbiddenError if the invite is no longer this session's caller invite.
   */
  async redeemPretap(p: Extract<Principal, { typ: 'pretap' }>): Promise<{ response: RedeemResponse; principal: Principal; expiresAt: number }> {
    const invite = await this.store.getInvite(p.invite);
    if (!invite || invite.sessionId !== p.sessionId || invite.role !== 'caller') throw new ForbiddenError("not this session's caller invite");
    const { response, principal } = await this.#redeem(p.invite);
    return { response, principal, expiresAt: this.tokens.verifyWithExpiry(response.token, ['caller']).expiresAt };
  }

  async #redeem(code: string, report?: PageReport): Promise<{ response: RedeemResponse; principal: Principal }> {
    const invite = await this.store.getInvite(code);
    if (!invite) throw new NotFoundError('invite');
    const session = await this.sessions.get(invite.sessionId);
    if (session.status === 'ended') throw new GoneError('ended');
    if (Date.parse(invite.expiresAt) <= this.#now().getTime()) throw new GoneError('expired');
    const outcome = await this.store.redeemInvite(code, this.#now().toISOString());
    if (!outcome.ok) throw outcome.reason === 'used' ? new GoneError('used') : new NotFoundError('invite');
    const principal: Principal =
      invite.role === 'caller' ? { typ: 'caller', sessionId: invite.sessionId } : { typ: 'viewer', sessionId: invite.sessionId, viewerId: code.slice(0, 8) };
    if (invite.role === 'caller') {
      await this.sessions.transition(invite.sessionId, 'link_opened', 'caller', report && { browser: report.browser });
      if (report?.unsupported) await this.#noteUnsupported(invite.sessionId, report.browser, report.unsupported);
      await this.sessions.transition(invite.sessionId, 'consent_given', 'caller');
    } else {
      await this.sessions.record(invite.sessionId, 'viewer_joined', `viewer:${code.slice(0, 8)}`);
    }
    return { response: { token: this.tokens.issue(principal), sessionId: invite.sessionId, role: invite.role }, principal };
  }

  #invite(code: string, sessionId: string, role: InviteRecord['role'], now: Date): InviteRecord {
    return {
      code,
      sessionId,
      role,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.opts.inviteTtlMs).toISOString(),
    };
  }

  /** The centre's recording policy, which the caller is told before giving consent (also at `/c`, before any code). */
  get centreName(): string {
    return this.opts.centreName ?? DEFAULT_CENTRE_NAME;
  }

  get recordingPolicy(): RecordingPolicy {
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
    const redeemed = await this.redeem(ref.inviteCode, report);
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
      await this.sessions.record(
        old.sessionId,
        'code_replaced',
        'system',
        { expiresAt: fresh.expiresAt, reason },
        {
          push: { name: 'code:replaced', payload: { sessionId: old.sessionId, ...fresh, ...(closedUntil && { closedUntil }) } },
        },
      );
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
      if (put === 'full')
        throw new UnavailableError(
          `${this.opts.maxLiveSpokenCodes} spoken codes are live, the most there may be; send the link, or try again in a few minutes`,
        );
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

  /**
   * A view-only invite to a live session (lasting `viewerTtlMs`, and refused once the session ends):
   * its link. Logged as `viewer_invited` (details: `label`, and `reason` when it was made for
   * something else than a person, e.g. `eido`).
   * @throws GoneError once the session has ended.
   */
  async inviteViewer(sessionId: string, actor: string, label?: string, reason?: string): Promise<string> {
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
    const details = { ...(label && { label }), ...(reason && { reason }) };
    await this.sessions.record(sessionId, 'viewer_invited', actor, Object.keys(details).length ? details : undefined);
    return this.inviteUrl(code);
  }

  /** Whether the link (`inviteUrl`'s form) can still let a browser in: not used, not expired, its session not ended. */
  async isUsable(link: string): Promise<boolean> {
    const invite = await this.store.getInvite(link.slice(link.lastIndexOf('/') + 1));
    if (!invite || invite.redeemedAt || Date.parse(invite.expiresAt) <= Date.now()) return false;
    return (await this.store.getSession(invite.sessionId))?.status !== 'ended';
  }

  async peek(code: string): Promise<InvitePeek> {
    const invite = await this.store.getInvite(code);
    if (!invite) throw new NotFoundError('invite');
    const session = await this.sessions.get(invite.sessionId);
    const reason = session.status === 'ended' ? 'ended' : invite.redeemedAt ? 'used' : Date.parse(invite.expiresAt) <= Date.now() ? 'expired' : undefined;
    return {
      role: invite.role,
      language: session.language,
      recording: this.opts.recordingPolicy,
      centre: this.centreName,
      valid: reason === undefined,
      ...(reason && { reason }),
    };
  }
}
