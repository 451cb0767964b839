import { randomInt } from 'node:crypto';
import type { Language, PageReport, RedeemResponse } from '@sightline/shared';
import { GoneError, NotFoundError, UnavailableError } from '../errors.js';
import type { SessionService } from '../sessions/SessionService.js';
import { newInviteCode } from '../sessions/ids.js';
import type { Store } from '../store/Store.js';

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
  viewerTtlMs: number;
  recordingPolicy: InvitePeek['recording'];
}

/**
 * The ways into a session besides the SMS link: the spoken 6-digit code (for when the SMS is late),
 * view-only invites for a doctor or the ambulance crew, and a non-redeeming look at an invite so the
 * page can speak the session's language before the caller taps anything.
 */
export class InviteService {
  constructor(
    private readonly store: Store,
    private readonly sessions: SessionService,
    private readonly opts: InviteServiceOptions,
  ) {}

  /** The centre's recording policy, which the caller is told before giving consent (also at `/c`, before any code). */
  get recordingPolicy(): InvitePeek['recording'] {
    return this.opts.recordingPolicy;
  }

  async issueSpokenCode(sessionId: string, actor: string): Promise<{ code: string; expiresAt: string }> {
    const session = await this.sessions.get(sessionId);
    if (session.status === 'ended') throw new GoneError('ended', 'session');
    const expiresAt = new Date(Date.now() + this.opts.spokenCodeTtlMs).toISOString();
    for (let attempt = 0; attempt < 20; attempt++) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      if (await this.store.putSpokenCode(code, { sessionId, inviteCode: session.inviteCode, expiresAt })) {
        await this.sessions.record(sessionId, 'code_issued', actor, { expiresAt });
        return { code, expiresAt };
      }
    }
    throw new UnavailableError('no free spoken code; try again');
  }

  /**
   * Redeems the caller invite the code stands for. Wrong → 404; expired, used or ended → 410.
   * `report`: what the `/c` page found about its browser at load (logged as for a link's page).
   */
  async redeemSpokenCode(code: string, report?: PageReport): Promise<RedeemResponse> {
    const ref = await this.store.getSpokenCode(code);
    if (!ref) throw new NotFoundError('code');
    if (Date.parse(ref.expiresAt) <= Date.now()) throw new GoneError('expired', 'code');
    const redeemed = await this.sessions.redeem(ref.inviteCode, report);
    await this.sessions.record(ref.sessionId, 'code_redeemed', 'caller');
    return redeemed;
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
