import type { Limit } from '../ratelimit/limits.js';

/**
 * Guards redemption against guessing: an address may try a few codes a minute, and after 5 wrong
 * or stale codes within 15 minutes it is refused outright (429), right codes included, until the
 * window passes. A 6-digit space then takes years to walk.
 */
export class RedeemLimiter {
  constructor(
    private readonly attempts: Limit,
    private readonly failures: Limit,
  ) {}

  /** Runs one redemption attempt for `key` (the client's address) under both limits. */
  async attempt<T>(key: string, redeem: () => Promise<T>): Promise<T> {
    await this.failures.check(key);
    await this.attempts.take(key);
    try {
      return await redeem();
    } catch (err) {
      await this.failures.take(key).catch(() => undefined);
      throw err;
    }
  }
}
