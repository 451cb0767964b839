import { AppError, GoneError, NotFoundError, RateLimitedError } from '../errors.js';
import type { Limit } from '../ratelimit/limits.js';
import type { SecurityEventKind, SecurityEvents } from '../security/SecurityEvents.js';

/** What a redemption's failures and refusals are recorded as (SecurityEvents kinds). */
export interface RedeemEventKinds {
  /** A redemption that was tried and failed (wrong, spent, expired code or invite). */
  failed: SecurityEventKind;
  /** A redemption refused untried by a limit. */
  limited: SecurityEventKind;
  /** Keeps this kind of redemption's counts apart from others' on the same limits (`code`, `invite`). */
  prefix: string;
}

/**
 * Guards redemption against guessing, per client address (`addressKey`: IPv6 by /64): an address
 * may try a few codes a minute, and after 5 wrong or stale codes within 15 minutes it is refused
 * outright (429), right codes included, until the window passes.
 *
 * Failures are counted atomically: a failure point is spent before the attempt runs and given back
 * if it succeeds, so 60 guesses sent at once get 5 tries, not 60 (a check before and a count after
 * would let every concurrent guess through the check). Every failure and refusal is recorded.
 */
export class RedeemLimiter {
  constructor(
    private readonly limits: { attempts: Limit; failures: Limit },
    private readonly security: SecurityEvents,
    private readonly kinds: RedeemEventKinds,
  ) {}

  /** Runs one redemption attempt from `address` (an `addressKey`) under both limits. */
  async attempt<T>(address: string, redeem: () => Promise<T>): Promise<T> {
    const key = `${this.kinds.prefix}:${address}`;
    await this.#take(this.limits.attempts, key, address, 'attempts');
    await this.#take(this.limits.failures, key, address, 'failures');
    let result: T;
    try {
      result = await redeem();
    } catch (err) {
      // Refused untried further in (the deployment's budget): not this address's failure.
      if (err instanceof RateLimitedError) await this.limits.failures.refund(key).catch(() => undefined);
      else this.security.record({ kind: this.kinds.failed, reason: failureReason(err), key: address });
      throw err;
    }
    await this.limits.failures.refund(key).catch(() => undefined);
    return result;
  }

  async #take(limit: Limit, key: string, address: string, reason: string): Promise<void> {
    try {
      await limit.take(key);
    } catch (err) {
      if (err instanceof RateLimitedError) this.security.record({ kind: this.kinds.limited, reason, key: address });
      throw err;
    }
  }
}

/** `unknown` for a code or invite that does not exist, the gone reason (`used`, `expired`, `ended`), else the error code. */
export function failureReason(err: unknown): string {
  if (err instanceof NotFoundError) return 'unknown';
  if (err instanceof GoneError) return err.reason;
  return err instanceof AppError ? err.code : 'error';
}
