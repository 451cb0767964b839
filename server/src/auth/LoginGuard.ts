import { RateLimitedError } from '../errors.js';
import type { Limit } from '../ratelimit/limits.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';

export interface LoginLimits {
  /** Every attempt from one address (LIMITS.loginPerIp: 30 in 15 min). */
  perAddress: Limit;
  /** Failures for one username from one address (LIMITS.loginFailuresPerUserAddress: 10 in 15 min). */
  failuresPerUserAddress: Limit;
  /** Failures for one username from anywhere (LIMITS.loginFailuresPerUser: 100 in 15 min). */
  failuresPerUser: Limit;
  /** (username, address) pairs that signed in within the last shift (LIMITS.loginSuccessesPerUserAddress). */
  successesPerUserAddress: Limit;
}

/** Answer delay after the n-th failure of one (username, address) pair, ms: none for the first three, then 1, 2, 4, 4… s. */
export function failureDelayMs(failures: number): number {
  return failures <= 3 ? 0 : Math.min(1000 * 2 ** (failures - 4), 4000);
}

/**
 * Password guessing limits that an attacker cannot turn against the user (issue #11, item 5).
 * Failures count per (username, address), so guessing from one place stops that place only (429
 * after 10 in 15 min) and the user signs in from their own desk meanwhile. A much larger ceiling
 * per username (100 failures in 15 min from all addresses together) bounds guessing spread over many
 * addresses; when it trips, addresses the user signed in from during the last shift still get in.
 * Each failure beyond the third from one pair is answered progressively later (failureDelayMs).
 *
 * Budgets are taken before the password is checked and given back on success, so concurrent
 * guesses cannot overshoot them. Every failure and refusal is a security event.
 */
export class LoginGuard {
  constructor(
    private readonly limits: LoginLimits,
    private readonly security: SecurityEvents,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Runs `verify` (the password check) within the limits; answers its result, or throws its error or RateLimitedError. */
  async attempt<T>(username: string, address: string, verify: () => Promise<T>): Promise<T> {
    // Unambiguous: an address never holds '@'.
    const pair = `${username}@${address}`;
    await this.#limited(() => this.limits.perAddress.take(address), username, address, 'address');
    const known = (await this.limits.successesPerUserAddress.spent(pair)) > 0;
    const underCeiling = await this.limits.failuresPerUser
      .take(username)
      .then(
        () => true,
        (err: unknown) => {
          if (!(err instanceof RateLimitedError) || !known) throw err;
          return false;
        },
      )
      .catch((err: unknown) => this.#refused(err, username, address, 'user'));
    await this.#limited(() => this.limits.failuresPerUserAddress.take(pair), username, address, 'user_address', underCeiling);

    let result: T;
    try {
      result = await verify();
    } catch (err) {
      this.security.record({ kind: 'login_failed', reason: 'wrong_credentials', username, key: address });
      await this.sleep(failureDelayMs(await this.limits.failuresPerUserAddress.spent(pair)));
      throw err;
    }
    await Promise.all([
      this.limits.failuresPerUserAddress.reset(pair),
      underCeiling ? this.limits.failuresPerUser.refund(username) : undefined,
      this.limits.successesPerUserAddress.take(pair),
    ]);
    return result;
  }

  /** Runs a take; a refusal becomes a `login_limited` event (after giving back the ceiling point taken). */
  async #limited(take: () => Promise<unknown>, username: string, address: string, scope: string, refundCeiling = false): Promise<void> {
    try {
      await take();
    } catch (err) {
      if (refundCeiling) await this.limits.failuresPerUser.refund(username);
      this.#refused(err, username, address, scope);
    }
  }

  #refused(err: unknown, username: string, address: string, scope: string): never {
    if (err instanceof RateLimitedError) this.security.record({ kind: 'login_limited', reason: scope, limit: err.limit, username, key: address });
    throw err;
  }
}
