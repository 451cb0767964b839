import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { canTransition, isSmsPhase, type BrowserFamily, type CreateSessionRequest, type Language, type OpenedResponse, type PageReport, type RedeemResponse, type SessionEvent, type SessionEventType, type SessionStatus, type UnsupportedReason } from '@sightline/shared';
import type { Principal, TokenService } from '../auth/tokens.js';
import { ForbiddenError, GoneError, NotFoundError, RateLimitedError } from '../errors.js';
import { maskPhone, type Logger } from '../logging.js';
import { APPEND_QUEUE_PER_SESSION } from '../ratelimit/limits.js';
import type { SmsProvider } from '../sms/SmsProvider.js';
import { SmsSendError } from '../sms/SmsProvider.js';
import { SEND_ACCEPTED, SEND_FAILED, sessionStatusForSms, smsStatusRank } from '../sms/deliveryStatus.js';
import { smsBody } from '../sms/messages.js';
import type { InviteRecord, SessionFilter, SessionRecord, Store } from '../store/Store.js';
import { newInviteCode, newSessionId } from './ids.js';
import type { SessionPush } from './projections.js';

export interface SessionServiceEvents {
  /** Every appended event, with the status after it, once it is durable (store and log). */
  event: [sessionId: string, status: SessionStatus, event: SessionEvent];
  /**
   * Something for the session's clients (signalling/sessionEvents.ts sends it, each role its
   * projection): a record's `push` right after its `event`, or what `tell` was given.
   */
  push: [sessionId: string, push: SessionPush];
  ended: [sessionId: string, reason: string];
  /** How long an event took to become durable (see EventWriteTimes). */
  written: [sessionId: string, type: SessionEventType, times: EventWriteTimes];
}

/**
 * Where an event's write spent its time, ms: waiting behind the session's earlier writes, in the
 * session store, and in the hash-chained log (lock, write and fdatasync). The consent record's
 * figures are a step of the caller's time to first frame (test/bench/ttff.ts).
 */
export interface EventWriteTimes {
  queuedMs: number;
  storeMs: number;
  logMs: number;
}

/** What became of an SMS delivery callback (SessionService.smsStatus). */
export type SmsCallbackOutcome = 'recorded' | 'unknown_message' | 'repeat' | 'session_ended';

export interface SessionServiceOptions {
  publicUrl: string;
  inviteTtlMs: number;
  now?: () => Date;
  /** Writes that may wait per session before `bounded` records are refused (APPEND_QUEUE_PER_SESSION). */
  appendQueueLimit?: number;
  /** Several nodes: the node to carry a new session's media (the least loaded). */
  place?: () => string;
  /** Where every event is also written, durably, before it counts as done (the hash-chained log). */
  eventLog?: {
    appendSession(sessionId: string, event: SessionEvent, seal: boolean): Promise<unknown>;
    readSession(sessionId: string): Promise<SessionEvent[]>;
  };
}

/**
 * The session lifecycle: creation, the invite and its one-time redemption, status transitions
 * (each one an event in the session's log) and the end.
 */
export class SessionService extends EventEmitter<SessionServiceEvents> {
  readonly #now: () => Date;
  /** Appends per session run one at a time, so the log file sees seq in order. */
  #appendQueues = new Map<string, Promise<unknown>>();
  /** Appends waiting or running per session (what `bounded` records are refused over). */
  #pending = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly sms: SmsProvider,
    private readonly tokens: TokenService,
    private readonly opts: SessionServiceOptions,
    private readonly log: Logger,
  ) {
    super();
    this.#now = opts.now ?? (() => new Date());
  }

  inviteUrl(code: string): string {
    return `${this.opts.publicUrl}/j/${code}`;
  }

  async create(dispatcher: string, req: { phone: string; incidentRef?: string; language?: Language }): Promise<SessionRecord> {
    const now = this.#now();
    const session: SessionRecord = {
      id: newSessionId(),
      status: 'created',
      phone: req.phone,
      incidentRef: req.incidentRef || undefined,
      language: req.language ?? 'nb',
      dispatcher,
      createdAt: now.toISOString(),
      inviteCode: newInviteCode(),
      mediaNode: this.opts.place?.(),
    };
    await this.store.putInvite(this.#invite(session.inviteCode, session.id, 'caller', now));
    await this.store.insertSession(session);
    await this.#append(session.id, 'created', 'created', `dispatcher:${dispatcher}`, {
      phone: maskPhone(session.phone),
      incidentRef: session.incidentRef,
      language: session.language,
    });
    this.log.info({ sessionId: session.id, phone: maskPhone(session.phone) }, 'session created');
    await this.sendSms(session, `dispatcher:${dispatcher}`);
    return (await this.store.getSession(session.id)) ?? session;
  }

  /**
   * Sends (or resends) the caller's link. Failures become an `sms_failed` event, never an exception.
   * Before the link is opened the new message becomes the one whose delivery the status follows;
   * after, a resend is logged and the status stays.
   */
  async sendSms(session: SessionRecord, actor: string): Promise<void> {
    const link = this.inviteUrl(session.inviteCode);
    let messageId: string;
    let details: Record<string, unknown>;
    try {
      const { providerMessageId } = await this.sms.send({ to: session.phone, body: smsBody(link, session.language), sessionId: session.id });
      details = { provider: this.sms.name, providerMessageId };
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
      details = { provider: this.sms.name, reason };
      messageId = localMessageId();
      await this.store.advanceSmsStatus(messageId, SEND_FAILED, smsStatusRank(SEND_FAILED));
    }
    await this.store.patchSession(session.id, { smsMessageId: messageId });
    if (!(await this.#followSms(session.id, actor, details))) {
      const failed = 'reason' in details;
      await this.record(session.id, failed ? 'sms_failed' : 'sms_resend', actor, details);
    }
  }

  /**
   * A delivery callback from the SMS provider. Each status of a known message is logged once
   * (`sms_status`): a repeat (a replayed callback, or the provider retrying) is not, and nothing is
   * once the session has ended (its log is closed; issue #10). It is recorded on its message only if
   * it moves the message forward (smsStatusRank: late callbacks do not), and it moves the session only
   * if its message is the newest one and the link is not opened yet.
   */
  async smsStatus(providerMessageId: string, status: string, errorCode?: string): Promise<SmsCallbackOutcome> {
    const sessionId = await this.store.getSmsRef(providerMessageId);
    if (!sessionId) return 'unknown_message';
    if (!(await this.store.firstSmsCallback(providerMessageId, status))) return 'repeat';
    if ((await this.store.getSession(sessionId))?.status === 'ended') return 'session_ended';
    const applied = await this.store.advanceSmsStatus(providerMessageId, status, smsStatusRank(status));
    const newest = (await this.store.getSession(sessionId))?.smsMessageId === providerMessageId;
    const details = { providerMessageId, providerStatus: status, ...(errorCode && { errorCode }) };
    await this.record(sessionId, 'sms_status', 'system', { ...details, newest, applied });
    if (applied) await this.#followSms(sessionId, 'system', details);
    return 'recorded';
  }

  /**
   * Brings a session that has not reached `link_opened` to the status its newest SMS stands for.
   * It re-reads after each change until nothing is left to do, so a resend racing a callback for
   * the previous message (on this node or another) still ends on the newest message's state.
   * True when the status changed. `details` go on the transition event.
   */
  async #followSms(id: string, actor: string, details: Record<string, unknown>): Promise<boolean> {
    let changed = false;
    for (let attempt = 0; attempt < 5; attempt++) {
      const s = await this.store.getSession(id);
      if (!s || !isSmsPhase(s.status) || !s.smsMessageId) return changed;
      const next = sessionStatusForSms(await this.store.getSmsStatus(s.smsMessageId));
      if (next === s.status) return changed;
      if (await this.store.compareAndSetStatus(id, s.status, next)) {
        await this.#append(id, next, next, actor, details);
        changed = true;
      }
    }
    return changed;
  }

  async get(id: string): Promise<SessionRecord> {
    const s = await this.store.getSession(id);
    if (!s) throw new NotFoundError('session');
    return s;
  }

  list(filter: SessionFilter): Promise<SessionRecord[]> {
    return this.store.listSessions(filter);
  }

  /** The session's events; the durable log is the authority where there is one. */
  async events(id: string): Promise<SessionEvent[]> {
    const fromLog = await this.opts.eventLog?.readSession(id);
    return fromLog?.length ? fromLog : this.store.listEvents(id);
  }

  /**
   * Moves the session to `next` if the lifecycle allows it, logging the transition. Stale or
   * repeated transitions are ignored (returns false): two tabs, late callbacks and retries are normal.
   */
  async transition(id: string, next: SessionStatus, actor: string, details?: Record<string, unknown>): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const s = await this.store.getSession(id);
      if (!s || !canTransition(s.status, next)) return false;
      if (await this.store.compareAndSetStatus(id, s.status, next)) {
        await this.#append(id, next, next, actor, details);
        return true;
      }
    }
    return false;
  }

  /**
   * Logs an event that does not change the status. `bounded`: what a client sent (chat, location,
   * pause state, control), refused rather than queued when the session already has
   * `appendQueueLimit` writes waiting; lifecycle and system records always queue. `push`: what the
   * session's clients are told of it, sent only once the event is durable (never for a refused or
   * failed write), right after the event itself, before this resolves.
   * @throws AppendQueueFullError (`rate_limited`) for a bounded record over the limit.
   */
  async record(id: string, type: SessionEventType, actor: string, details?: Record<string, unknown>, opts: { bounded?: boolean; push?: SessionPush } = {}): Promise<void> {
    const s = await this.get(id);
    // Checked and counted (in #append) in the same tick, so concurrent records cannot overshoot.
    if (opts.bounded && (this.#pending.get(id) ?? 0) >= (this.opts.appendQueueLimit ?? APPEND_QUEUE_PER_SESSION)) throw new AppendQueueFullError();
    await this.#append(id, type, s.status, actor, details, opts.push);
  }

  /** Tells the session's clients something that is not logged (media comings and goings, a repeated state). */
  tell(id: string, push: SessionPush): void {
    this.emit('push', id, push);
  }

  /**
   * Ends the session (a repeat does nothing). The caller's full number goes with it: only a live
   * session needs it (to resend the link), so the store keeps it masked from then on (issue #11).
   */
  async end(id: string, actor: string, reason: string): Promise<void> {
    if (!(await this.transition(id, 'ended', actor, { reason }))) return;
    const phone = (await this.store.getSession(id))?.phone;
    await this.store.patchSession(id, { endedAt: this.#now().toISOString(), endReason: reason, ...(phone && { phone: maskPhone(phone) }) });
    this.log.info({ sessionId: id, reason }, 'session ended');
    this.emit('ended', id, reason);
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
  async noteInviteOpened(code: string, report: PageReport): Promise<OpenedResponse | undefined> {
    const invite = await this.store.getInvite(code);
    if (!invite) throw new NotFoundError('invite');
    const session = await this.get(invite.sessionId);
    if (session.status === 'ended') throw new GoneError('ended', 'session');
    if (invite.redeemedAt) throw new GoneError('used');
    if (Date.parse(invite.expiresAt) <= this.#now().getTime()) throw new GoneError('expired');
    if (invite.role !== 'caller') return undefined;
    if (await this.store.markInviteOpened(code, this.#now().toISOString())) {
      await this.transition(invite.sessionId, 'link_opened', 'caller', { browser: report.browser });
    }
    if (report.unsupported) {
      await this.noteUnsupported(invite.sessionId, report.browser, report.unsupported);
      return undefined;
    }
    const token = this.tokens.issue({ typ: 'pretap', sessionId: invite.sessionId, invite: code }, { notAfter: Math.floor(Date.parse(invite.expiresAt) / 1000) });
    return { pretap: { token, sessionId: invite.sessionId } };
  }

  /** Logs that the caller's browser cannot send live video, unless this family and reason are logged already. */
  async noteUnsupported(sessionId: string, browser: BrowserFamily, reason: UnsupportedReason): Promise<void> {
    const known = (await this.events(sessionId)).some(
      (e) => e.type === 'browser_unsupported' && e.details?.['reason'] === reason && e.details?.['browser'] === browser,
    );
    if (!known) await this.record(sessionId, 'browser_unsupported', 'caller', { reason, browser });
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
    const session = await this.get(invite.sessionId);
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
    if (!invite || invite.sessionId !== p.sessionId || invite.role !== 'caller') throw new ForbiddenError('not this session\'s caller invite');
    const { response, principal } = await this.#redeem(p.invite);
    return { response, principal, expiresAt: this.tokens.verifyWithExpiry(response.token, ['caller']).expiresAt };
  }

  async #redeem(code: string, report?: PageReport): Promise<{ response: RedeemResponse; principal: Principal }> {
    const invite = await this.store.getInvite(code);
    if (!invite) throw new NotFoundError('invite');
    const session = await this.get(invite.sessionId);
    if (session.status === 'ended') throw new GoneError('ended');
    if (Date.parse(invite.expiresAt) <= this.#now().getTime()) throw new GoneError('expired');
    const outcome = await this.store.redeemInvite(code, this.#now().toISOString());
    if (!outcome.ok) throw outcome.reason === 'used' ? new GoneError('used') : new NotFoundError('invite');
    const principal: Principal =
      invite.role === 'caller'
        ? { typ: 'caller', sessionId: invite.sessionId }
        : { typ: 'viewer', sessionId: invite.sessionId, viewerId: code.slice(0, 8) };
    if (invite.role === 'caller') {
      await this.transition(invite.sessionId, 'link_opened', 'caller', report && { browser: report.browser });
      if (report?.unsupported) await this.noteUnsupported(invite.sessionId, report.browser, report.unsupported);
      await this.transition(invite.sessionId, 'consent_given', 'caller');
    } else {
      await this.record(invite.sessionId, 'viewer_joined', `viewer:${code.slice(0, 8)}`);
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

  async #append(id: string, type: SessionEventType, status: SessionStatus, actor: string, details?: Record<string, unknown>, push?: SessionPush): Promise<void> {
    this.#pending.set(id, (this.#pending.get(id) ?? 0) + 1);
    const previous = this.#appendQueues.get(id) ?? Promise.resolve();
    const asked = performance.now();
    const run = previous.then(async () => {
      const started = performance.now();
      const event = await this.store.appendEvent(id, {
        type,
        at: this.#now().toISOString(),
        actor,
        ...(details && { details: stripUndefined(details) }),
      });
      const stored = performance.now();
      // Ended sessions get their chain head sealed in the index, so a cut-off tail shows.
      await this.opts.eventLog?.appendSession(id, event, status === 'ended');
      this.emit('written', id, type, { queuedMs: started - asked, storeMs: stored - started, logMs: performance.now() - stored });
      return event;
    });
    const settled = run.catch(() => undefined).finally(() => {
      const left = (this.#pending.get(id) ?? 1) - 1;
      if (left > 0) this.#pending.set(id, left);
      else this.#pending.delete(id);
    });
    this.#appendQueues.set(id, settled);
    void settled.then(() => {
      if (this.#appendQueues.get(id) === settled) this.#appendQueues.delete(id);
    });
    this.emit('event', id, status, await run);
    // In the same tick as its event: no later write of the session can come between them.
    if (push) this.emit('push', id, push);
  }
}

/** `record` option for what a client sent: refused, not queued, when the session's log queue is full. */
export const BOUNDED = { bounded: true } as const;

/** A session's log had too many writes waiting; the record was refused, not queued. */
export class AppendQueueFullError extends RateLimitedError {
  constructor() {
    super(1, 'appendQueuePerSession');
  }
}

/** The id of a message that has no provider id (console provider, or refused at once). */
function localMessageId(): string {
  return `local-${randomUUID()}`;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export type { CreateSessionRequest };
