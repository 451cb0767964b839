import { randomUUID } from 'node:crypto';
import { isSmsPhase, type ViewerSmsResponse } from '@sightline/shared';
import { maskPhone, type Logger } from '../logging.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { SessionRecord, Store } from '../store/Store.js';
import { SEND_ACCEPTED, SEND_FAILED, sessionStatusForSms, smsStatusRank } from './deliveryStatus.js';
import { smsBody, viewerSmsBody } from './messages.js';
import { SmsSendError, type SmsProvider } from './SmsProvider.js';

/** What became of an SMS delivery callback (SmsDispatch.status). */
export type SmsCallbackOutcome = 'recorded' | 'unknown_message' | 'repeat' | 'session_ended';

export interface SmsDispatchOptions {
  /** The caller's link for an invite code (InviteService's inviteUrl). */
  link: (inviteCode: string) => string;
}

/**
 * The caller's link by SMS: sending it, resending it, and the provider's delivery reports, which
 * move a session whose link is not opened yet between sms_sent, sms_delivered and sms_failed
 * (following the newest message; issue #10, kind 10). Everything it learns goes in the session's log.
 */
export class SmsDispatch {
  constructor(
    private readonly store: Store,
    private readonly provider: SmsProvider,
    private readonly sessions: Pick<SessionService, 'record' | 'moveFrom'>,
    private readonly opts: SmsDispatchOptions,
    private readonly log: Logger,
  ) {}

  /**
   * Sends (or resends) the caller's link. Failures become an `sms_failed` event, never an exception.
   * Before the link is opened the new message becomes the one whose delivery the status follows;
   * after, a resend is logged and the status stays.
   */
  async send(session: SessionRecord, actor: string): Promise<void> {
    const link = this.opts.link(session.inviteCode);
    let messageId: string;
    let details: Record<string, unknown>;
    try {
      const { providerMessageId } = await this.provider.send({ to: session.phone, body: smsBody(link, session.language), sessionId: session.id });
      details = { provider: this.provider.name, providerMessageId };
      if (providerMessageId) {
        messageId = providerMessageId;
        await this.store.putSmsRef(providerMessageId, session.id);
      } else {
        // No callbacks will come (console): the message counts as sent.
        messageId = localMessageId();
        await this.store.advanceSmsStatus(messageId, SEND_ACCEPTED, smsStatusRank(SEND_ACCEPTED));
      }
    } catch (err) {
      const reason = err instanceof SmsSendError ? err.reason : 'provider_unavailable';
      this.log.warn({ sessionId: session.id, reason, err: (err as Error).message }, 'sms failed');
      details = { provider: this.provider.name, reason };
      messageId = localMessageId();
      await this.store.advanceSmsStatus(messageId, SEND_FAILED, smsStatusRank(SEND_FAILED));
    }
    await this.store.patchSession(session.id, { smsMessageId: messageId });
    if (!(await this.#follow(session.id, actor, details))) {
      const failed = 'reason' in details;
      await this.sessions.record(session.id, failed ? 'sms_failed' : 'sms_resend', actor, details);
    }
  }

  /**
   * Sends a viewer's link (a view-only invite, made just for this number) to `to` (E.164). It
   * leaves the caller's SMS state alone: delivery reports of this message are not followed (no
   * reference is kept, so its callbacks are `unknown_message`). The send, or why it failed, is
   * logged as `viewer_sms` with the number masked. A failure is answered, never thrown.
   */
  async sendViewerLink(session: SessionRecord, to: string, link: string, actor: string): Promise<ViewerSmsResponse> {
    const logged = { to: maskPhone(to), provider: this.provider.name };
    try {
      const { providerMessageId } = await this.provider.send({ to, body: viewerSmsBody(link, session.language), sessionId: session.id });
      await this.sessions.record(session.id, 'viewer_sms', actor, { ...logged, sent: true, ...(providerMessageId && { providerMessageId }) });
      return { to, sent: true };
    } catch (err) {
      const reason = err instanceof SmsSendError ? err.reason : 'provider_unavailable';
      this.log.warn({ sessionId: session.id, reason, err: (err as Error).message }, 'viewer sms failed');
      await this.sessions.record(session.id, 'viewer_sms', actor, { ...logged, sent: false, reason });
      return { to, sent: false, reason };
    }
  }

  /**
   * A delivery callback from the SMS provider. Each status of a known message is logged once
   * (`sms_status`): a repeat (a replayed callback, or the provider retrying) is not, and nothing is
   * once the session has ended (its log is closed; issue #10). It is recorded on its message only if
   * it moves the message forward (smsStatusRank: late callbacks do not), and it moves the session only
   * if its message is the newest one and the link is not opened yet.
   */
  async status(providerMessageId: string, status: string, errorCode?: string): Promise<SmsCallbackOutcome> {
    const sessionId = await this.store.getSmsRef(providerMessageId);
    if (!sessionId) return 'unknown_message';
    if (!(await this.store.firstSmsCallback(providerMessageId, status))) return 'repeat';
    if ((await this.store.getSession(sessionId))?.status === 'ended') return 'session_ended';
    const applied = await this.store.advanceSmsStatus(providerMessageId, status, smsStatusRank(status));
    const newest = (await this.store.getSession(sessionId))?.smsMessageId === providerMessageId;
    const details = { providerMessageId, providerStatus: status, ...(errorCode && { errorCode }) };
    await this.sessions.record(sessionId, 'sms_status', 'system', { ...details, newest, applied });
    if (applied) await this.#follow(sessionId, 'system', details);
    return 'recorded';
  }

  /**
   * Brings a session that has not reached `link_opened` to the status its newest SMS stands for.
   * It re-reads after each change until nothing is left to do, so a resend racing a callback for
   * the previous message (on this node or another) still ends on the newest message's state.
   * True when the status changed. `details` go on the transition event.
   */
  async #follow(id: string, actor: string, details: Record<string, unknown>): Promise<boolean> {
    let changed = false;
    for (let attempt = 0; attempt < 5; attempt++) {
      const s = await this.store.getSession(id);
      if (!s || !isSmsPhase(s.status) || !s.smsMessageId) return changed;
      const next = sessionStatusForSms(await this.store.getSmsStatus(s.smsMessageId));
      if (next === s.status) return changed;
      if (await this.sessions.moveFrom(id, s.status, next, actor, details)) changed = true;
    }
    return changed;
  }
}

/** The id of a message that has no provider id (console provider, or refused at once). */
function localMessageId(): string {
  return `local-${randomUUID()}`;
}
