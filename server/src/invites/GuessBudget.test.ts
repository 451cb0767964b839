import { describe, expect, it } from 'vitest';
import { NotFoundError, RateLimitedError } from '../errors.js';
import { createLogger } from '../logging.js';
import { createLimit } from '../ratelimit/limits.js';
import { SecurityEvents, type SecurityEvent } from '../security/SecurityEvents.js';
import { GuessBudget } from './GuessBudget.js';
import type { InviteService } from './InviteService.js';
import { RedeemLimiter } from './RedeemLimiter.js';

function setup(budgetPoints = 4, trips = 1) {
  const events: SecurityEvent[] = [];
  const security = new SecurityEvents(createLogger('silent'));
  security.on('event', (e) => void events.push(e));
  const replacements: (string | undefined)[] = [];
  const invites = { replaceLiveCodes: async (_reason: string, closedUntil?: string) => (replacements.push(closedUntil), 2) } as unknown as InviteService;
  const name = `t-${Math.random()}`;
  const budget = new GuessBudget(
    createLimit(`${name}-b`, { points: budgetPoints, durationSec: 60 }),
    createLimit(`${name}-t`, { points: trips, durationSec: 60 }),
    invites,
    security,
  );
  return { budget, events, replacements, security };
}

const wrong = async (): Promise<never> => {
  throw new NotFoundError('code');
};

describe('GuessBudget', () => {
  it('tries at most its points of wrong guesses, trips exactly once however many arrive at once, and starts again', async () => {
    const { budget, events, replacements } = setup(4);
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => budget.guess('k', wrong)));
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof NotFoundError)).toHaveLength(4);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof RateLimitedError)).toHaveLength(26);
    expect(replacements).toEqual([undefined]);
    expect(events.filter((e) => e.kind === 'code_budget_tripped')).toEqual([expect.objectContaining({ reason: 'codes_replaced', replaced: 2 })]);
    // A new generation: four more are tried.
    await expect(budget.guess('k', wrong)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('gives a right guess its point back', async () => {
    const { budget } = setup(2);
    for (let i = 0; i < 10; i++) expect(await budget.guess('k', async () => 'in')).toBe('in');
    await expect(budget.guess('k', wrong)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('past its trips, replaces the codes but stays closed, the right guess refused untried', async () => {
    const { budget, replacements, events } = setup(1, 1);
    await expect(budget.guess('k', wrong)).rejects.toBeInstanceOf(NotFoundError);
    await expect(budget.guess('k', wrong)).rejects.toBeInstanceOf(RateLimitedError); // trip 1: reopened
    await expect(budget.guess('k', wrong)).rejects.toBeInstanceOf(NotFoundError);
    await expect(budget.guess('k', wrong)).rejects.toBeInstanceOf(RateLimitedError); // trip 2: closed
    let tried = false;
    await expect(budget.guess('k', async () => (tried = true))).rejects.toBeInstanceOf(RateLimitedError);
    expect(tried).toBe(false);
    expect(replacements).toHaveLength(2);
    expect(replacements[1]).toMatch(/^\d{4}-/);
    expect(events.filter((e) => e.kind === 'code_budget_tripped').map((e) => e.reason)).toEqual(['codes_replaced', 'closed']);
  });
});

describe('RedeemLimiter', () => {
  it('spends a failure point up front, gives it back on success, and records failures and refusals', async () => {
    const { security, events } = setup();
    const name = `r-${Math.random()}`;
    const limiter = new RedeemLimiter(
      { attempts: createLimit(`${name}-a`, { points: 100, durationSec: 60 }), failures: createLimit(`${name}-f`, { points: 3, durationSec: 60 }) },
      security,
      { failed: 'code_failed', limited: 'code_limited', prefix: 'code' },
    );
    for (let i = 0; i < 5; i++) expect(await limiter.attempt('203.0.113.1', async () => 'ok')).toBe('ok');
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => limiter.attempt('203.0.113.1', wrong)));
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof NotFoundError)).toHaveLength(3);
    expect(events.filter((e) => e.kind === 'code_failed')).toHaveLength(3);
    expect(events.filter((e) => e.kind === 'code_limited')).toHaveLength(7);
    expect(events.find((e) => e.kind === 'code_failed')).toMatchObject({ reason: 'unknown', key: '203.0.113.1' });
    await expect(limiter.attempt('203.0.113.1', async () => 'ok')).rejects.toBeInstanceOf(RateLimitedError);
    expect(await limiter.attempt('203.0.113.2', async () => 'ok')).toBe('ok');
  });
});
