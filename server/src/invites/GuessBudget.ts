import { RateLimitedError } from '../errors.js';
import type { Limit } from '../ratelimit/limits.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import type { InviteService } from './InviteService.js';

const ALL = 'all';

/**
 * The deployment-wide budget of spoken-code guesses, across all client addresses (per-address limits
 * do not stop someone with many addresses). Arithmetic and figures: docs/security.md, "Spoken codes".
 *
 * Every guess spends a point of `budget` before it is tried (atomically, in Redis across nodes) and
 * gives it back if it was right, so at most `budget.points` wrong guesses are tried per generation
 * of live codes. The first guess past that (the one that finds the count at points + 1, exactly
 * one) trips the budget: every live code is replaced (what the guesses learned is void, and the
 * dispatchers are told the new codes), then the budget starts again. Past `trips.points` trips in
 * its window the codes are still replaced but the budget stays spent until its own window ends:
 * code entry is closed (429) and no guess is tried, which bounds the guesses tried per window.
 */
export class GuessBudget {
  constructor(
    private readonly budget: Limit,
    private readonly trips: Limit,
    private readonly invites: InviteService,
    private readonly security: SecurityEvents,
  ) {}

  /** Tries one guess within the budget; RateLimitedError (untried) when it is spent. */
  async guess<T>(key: string, attempt: () => Promise<T>): Promise<T> {
    const use = await this.budget.spend(ALL);
    if (!use.allowed) {
      const reopened = use.consumed === this.budget.points + 1 ? await this.#trip(key, use.retryAfterSeconds) : false;
      this.security.record({ kind: 'code_limited', reason: 'budget', key });
      throw new RateLimitedError(reopened ? 1 : use.retryAfterSeconds);
    }
    // A wrong guess keeps its point; a right one gives it back.
    const result = await attempt();
    await this.budget.refund(ALL).catch(() => undefined);
    return result;
  }

  /** Replaces the live codes and, unless tripped too often, starts the budget again. True when reopened. */
  async #trip(key: string, closedForSeconds: number): Promise<boolean> {
    const reopen = (await this.trips.spend(ALL)).allowed;
    const closedUntil = reopen ? undefined : new Date(Date.now() + closedForSeconds * 1000).toISOString();
    const replaced = await this.invites.replaceLiveCodes('guess_budget', closedUntil);
    if (reopen) await this.budget.reset(ALL);
    this.security.record({ kind: 'code_budget_tripped', reason: reopen ? 'codes_replaced' : 'closed', replaced, key, ...(closedUntil && { closedUntil }) });
    return reopen;
  }
}
