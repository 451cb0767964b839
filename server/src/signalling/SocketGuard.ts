import type { Principal } from '../auth/TokenService.js';
import { AppError, RateLimitedError } from '../errors.js';
import type { Logger } from '../logging.js';
import { SOCKETS_PER_TOKEN, type Limit } from '../ratelimit/limits.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import { estimateLogBytes, tokenKey, type BudgetKind, type SocketBudgets } from './SocketBudgets.js';
import type { SocketSlots } from './SocketSlots.js';
import type { SignallingSocket } from './types.js';

export interface SocketGuardOptions {
  slots: SocketSlots;
  /** Messages per connection (LIMITS.socketEventsPerConnection), before anything else is done. */
  perConnection: Limit;
  /** Refusals per connection (LIMITS.refusalsPerConnection): past it the socket is dropped. */
  refusals: Limit;
  budgets: SocketBudgets;
  security: SecurityEvents;
  log: Logger;
  /** Sockets open at once per token kind; SOCKETS_PER_TOKEN unless given. */
  socketsPerToken?: Record<Principal['typ'], number>;
}

/**
 * What one token may cost a node over its sockets (issue #11 item 2): how many sockets it holds at
 * once, what its messages spend (SocketBudgets), and what happens to a socket that keeps going past
 * its budgets: every refusal is a `rate_limited` security event, and a socket that collects more
 * refusals than LIMITS.refusalsPerConnection allows is dropped (`socket_dropped`).
 */
export class SocketGuard {
  readonly #max: Record<Principal['typ'], number>;

  constructor(private readonly opts: SocketGuardOptions) {
    this.#max = opts.socketsPerToken ?? SOCKETS_PER_TOKEN;
  }

  /**
   * Takes a socket slot for its token, given back when the socket disconnects.
   * @throws RateLimitedError when the token already holds its sockets (the handshake is refused with
   *   `data.code` `rate_limited`; the page retries once one of its old sockets is gone).
   */
  async admit(socket: SignallingSocket): Promise<void> {
    const principal = socket.data.principal;
    const key = tokenKey(principal);
    if (!(await this.opts.slots.acquire(key, socket.id, this.#max[principal.typ]))) {
      this.opts.security.record({ kind: 'socket_refused', reason: 'sockets_per_token', key, ...sessionOf(principal) });
      throw new RateLimitedError(10);
    }
    socket.once('disconnect', () => {
      this.opts.slots.release(key, socket.id).catch((err: Error) => this.opts.log.warn({ err: err.message }, 'socket slot not released'));
    });
  }

  /** Every message, before it is even parsed. @throws RateLimitedError */
  async message(socket: SignallingSocket): Promise<void> {
    await this.opts.perConnection.take(socket.id);
  }

  /** A valid, authorized message of `kind` for `sessionId`; `logs`: it writes a session-log record. @throws RateLimitedError */
  async spend(socket: SignallingSocket, kind: BudgetKind, sessionId: string, payload: unknown, logs: boolean): Promise<void> {
    await this.opts.budgets.spend(socket.data.principal, kind, sessionId, logs ? estimateLogBytes(payload) : 0);
  }

  close(): void {
    this.opts.slots.close();
  }

  /**
   * A message was answered with `err`: a rate limit counts against the socket, and may drop it; anything a
   * pre-tap credential is forbidden is a `pretap_refused` event (the page itself never sends those: issue #12).
   */
  async refused(socket: SignallingSocket, event: string, err: AppError): Promise<void> {
    const principal = socket.data.principal;
    if (principal.typ === 'pretap' && err.code === 'forbidden') {
      this.opts.security.record({ kind: 'pretap_refused', reason: event, key: tokenKey(principal), sessionId: principal.sessionId });
    }
    // By code: a limit hit on another node (media of a session placed there) comes back as a plain AppError.
    if (err.code !== 'rate_limited') return;
    const key = tokenKey(principal);
    this.opts.security.record({
      kind: 'rate_limited',
      reason: (err as Partial<RateLimitedError>).limit ?? 'socketEventsPerConnection',
      key,
      event,
      ...sessionOf(principal),
    });
    try {
      await this.opts.refusals.take(socket.id);
    } catch {
      if (!socket.connected) return;
      this.opts.security.record({ kind: 'socket_dropped', reason: 'keeps_exceeding', key, ...sessionOf(principal) });
      socket.disconnect(true);
    }
  }
}

function sessionOf(p: Principal): { sessionId?: string } {
  return p.typ === 'staff' ? {} : { sessionId: p.sessionId };
}
