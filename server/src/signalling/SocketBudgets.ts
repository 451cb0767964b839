import type { Principal } from '../auth/TokenService.js';
import { RateLimitedError } from '../errors.js';
import { createLimit, LIMITS, type Limit } from '../ratelimit/limits.js';

/** What a socket message spends (the handler says which); see LIMITS for the figures. */
export type BudgetKind = 'chat' | 'location' | 'mediaState' | 'join' | 'transport' | 'produce';

/**
 * The key a socket's principal is counted under: the session's caller, one viewer, or one staff user
 * (a staff user's tabs share it, whatever token each holds). Pre-tap credentials (issue #12) have a key
 * of their own per session: anyone holding the link may mint them, so their sockets and messages must
 * never use up the caller's slots or budgets (they locked the caller out after the tap).
 */
export function tokenKey(p: Principal): string {
  if (p.typ === 'staff') return `staff:${p.username}`;
  if (p.typ === 'viewer') return `viewer:${p.sessionId}:${p.viewerId}`;
  if (p.typ === 'pretap') return `pretap:${p.sessionId}`;
  return `caller:${p.sessionId}`;
}

/**
 * A session-log record's size beyond its details: seq, at, type, actor, prevHash and hash (two
 * 64-hex digests), keys and quotes; measured on chat and location records (~290 bytes).
 */
const RECORD_OVERHEAD_BYTES = 300;

/** Bytes a message's record will add to the log: its payload as JSON plus the record's own fields. */
export function estimateLogBytes(payload: unknown): number {
  return Buffer.byteLength(JSON.stringify(payload ?? null)) + RECORD_OVERHEAD_BYTES;
}

type PerKind = Record<BudgetKind, Limit>;

/**
 * Budgets of the people who hold a link (callers and viewers): per token and per session for each
 * kind of message, and log bytes per session. Staff sockets are not charged here (they are signed-in
 * employees, and a caller's flood must never leave the dispatcher without chat); they keep the
 * per-connection limit. In Redis mode the counts are the cluster's.
 */
export class SocketBudgets {
  readonly #perToken: PerKind;
  readonly #perSession: Partial<PerKind>;
  readonly #logBytes: Limit;

  constructor(redis?: unknown) {
    const limit = (name: keyof typeof LIMITS) => createLimit(name, LIMITS[name], redis);
    this.#perToken = {
      chat: limit('chatPerToken'),
      location: limit('locationPerToken'),
      mediaState: limit('mediaStatePerToken'),
      join: limit('joinsPerToken'),
      transport: limit('transportOpsPerToken'),
      produce: limit('producesPerToken'),
    };
    this.#perSession = { chat: limit('chatPerSession'), location: limit('locationPerSession'), mediaState: limit('mediaStatePerSession') };
    this.#logBytes = limit('logBytesPerSession');
  }

  /**
   * Spends one `kind` message for the principal and its session, and `logBytes` of the session's log
   * budget (0 for messages that write no record).
   * @throws RateLimitedError (with the wait) whose `limit` names the budget that ran out.
   */
  async spend(principal: Principal, kind: BudgetKind, sessionId: string, logBytes: number): Promise<void> {
    if (principal.typ === 'staff') return;
    await take(`${kind}PerToken`, this.#perToken[kind], tokenKey(principal));
    const perSession = this.#perSession[kind];
    if (perSession) await take(`${kind}PerSession`, perSession, sessionId);
    if (logBytes > 0) await take('logBytesPerSession', this.#logBytes, sessionId, logBytes);
  }
}

async function take(name: string, limit: Limit, key: string, points = 1): Promise<void> {
  try {
    await limit.take(key, points);
  } catch (err) {
    if (err instanceof RateLimitedError) throw new RateLimitedError(err.retryAfterSeconds, name);
    throw err;
  }
}
