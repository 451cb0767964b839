import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';

/**
 * Guards code redemption against guessing: an address may try at most `attempts` codes a minute,
 * and after `failures` wrong or stale codes within the window it is refused outright (429),
 * right codes included, until the window passes. A 6-digit space then takes years to walk.
 */
export class RedeemLimiter {
  readonly #attempts: RateLimiterMemory;
  readonly #failures: RateLimiterMemory;

  constructor(opts: { attemptsPerMinute: number; failures: number; failureWindowSeconds: number }) {
    this.#attempts = new RateLimiterMemory({ points: opts.attemptsPerMinute, duration: 60 });
    this.#failures = new RateLimiterMemory({ points: opts.failures, duration: opts.failureWindowSeconds });
  }

  /** Runs one redemption attempt for `key` (the client's address) under both limits. */
  async attempt<T>(key: string, redeem: () => Promise<T>): Promise<T> {
    const failed = await this.#failures.get(key);
    if (failed && failed.remainingPoints <= 0) throw new RateLimitedError(Math.ceil(failed.msBeforeNext / 1000));
    try {
      await this.#attempts.consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw new RateLimitedError(Math.ceil(res.msBeforeNext / 1000));
      throw res;
    }
    try {
      return await redeem();
    } catch (err) {
      await this.#failures.consume(key).catch(() => undefined);
      throw err;
    }
  }
}
