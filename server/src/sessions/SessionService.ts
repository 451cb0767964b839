import { EventEmitter } from 'node:events';
import { canTransition, type CreateSessionRequest, type Language, type SessionEvent, type SessionEventType, type SessionStatus } from '@sightline/shared';
import { NotFoundError, RateLimitedError } from '../errors.js';
import { maskPhone, type Logger } from '../logging.js';
import { APPEND_QUEUE_PER_SESSION } from '../ratelimit/limits.js';
import type { SessionFilter, SessionRecord, Store } from '../store/Store.js';
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

export interface SessionServiceOptions {
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
 * The session lifecycle and its log: creation, status transitions (each one an event in the
 * session's log), other records, and the end. The ways in (invites, spoken codes: invites/) and the
 * SMS (sms/SmsDispatch.ts) build on it; it knows neither, nor tokens (SessionService.test.ts keeps it so).
 */
export class SessionService extends EventEmitter<SessionServiceEvents> {
  readonly #now: () => Date;
  /** Appends per session run one at a time, so the log file sees seq in order. */
  #appendQueues = new Map<string, Promise<unknown>>();
  /** Appends waiting or running per session (what `bounded` records are refused over). */
  #pending = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly opts: SessionServiceOptions,
    private readonly log: Logger,
  ) {
    super();
    this.#now = opts.now ?? (() => new Date());
  }

  /**
   * Tells every listener, whatever another one does (mediasoup's `safeEmit` idea, as server/src/Observer.ts):
   * one that throws, or whose promise rejects, is logged, and the others still hear. Node's own emit
   * stops at the first throw and rethrows it into the writer, which would fail a record already durable.
   */
  override emit<K extends keyof SessionServiceEvents>(name: K, ...args: SessionServiceEvents[K]): boolean {
    // rawListeners: a `once` listener's wrapper, which removes itself when called.
    const listeners = this.rawListeners(name) as ((...a: SessionServiceEvents[K]) => unknown)[];
    const failed = (err: unknown) => this.log.error({ event: name, err: (err as Error)?.message ?? String(err) }, 'session listener failed');
    for (const listener of listeners) {
      try {
        const result = listener.apply(this, args);
        if (result instanceof Promise) result.catch(failed);
      } catch (err) {
        failed(err);
      }
    }
    return listeners.length > 0;
  }

  /**
   * A new session (status `created`, logged) with the id, caller invite and time (ISO 8601) its
   * invite was made with: InviteService.create puts the invite first and sends the link after.
   */
  async create(
    dispatcher: string,
    req: { phone: string; incidentRef?: string; language?: Language },
    opening: { id: string; inviteCode: string; createdAt: string },
  ): Promise<SessionRecord> {
    const session: SessionRecord = {
      id: opening.id,
      status: 'created',
      phone: req.phone,
      incidentRef: req.incidentRef || undefined,
      language: req.language ?? 'nb',
      dispatcher,
      createdAt: opening.createdAt,
      inviteCode: opening.inviteCode,
      mediaNode: this.opts.place?.(),
    };
    await this.store.insertSession(session);
    await this.#append(session.id, 'created', 'created', `dispatcher:${dispatcher}`, {
      phone: maskPhone(session.phone),
      incidentRef: session.incidentRef,
      language: session.language,
    });
    this.log.info({ sessionId: session.id, phone: maskPhone(session.phone) }, 'session created');
    return session;
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
   * Moves the session from `from` to `next` if it is still at `from`, logging the transition, outside
   * the lifecycle's forward order: for the SMS phase, whose status follows the newest message back
   * and forth (sms/SmsDispatch.ts). False when the status was no longer `from`.
   */
  async moveFrom(id: string, from: SessionStatus, next: SessionStatus, actor: string, details?: Record<string, unknown>): Promise<boolean> {
    if (!(await this.store.compareAndSetStatus(id, from, next))) return false;
    await this.#append(id, next, next, actor, details);
    return true;
  }

  /**
   * Logs an event that does not change the status. `bounded`: what a client sent (chat, location,
   * pause state, control), refused rather than queued when the session already has
   * `appendQueueLimit` writes waiting; lifecycle and system records always queue. `push`: what the
   * session's clients are told of it, sent only once the event is durable (never for a refused or
   * failed write), right after the event itself, before this resolves.
   * @throws AppendQueueFullError (`rate_limited`) for a bounded record over the limit.
   */
  async record(
    id: string,
    type: SessionEventType,
    actor: string,
    details?: Record<string, unknown>,
    opts: { bounded?: boolean; push?: SessionPush } = {},
  ): Promise<void> {
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

  async #append(
    id: string,
    type: SessionEventType,
    status: SessionStatus,
    actor: string,
    details?: Record<string, unknown>,
    push?: SessionPush,
  ): Promise<void> {
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
    const settled = run
      .catch(() => undefined)
      .finally(() => {
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

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export type { CreateSessionRequest };
