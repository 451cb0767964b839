import { describe, expect, it } from 'vitest';
import { RateLimitedError, UnauthorizedError } from '../errors.js';
import { createLimit, LIMITS, type LimitSpec } from '../ratelimit/limits.js';
import { SecurityEvents, type SecurityEvent } from '../security/SecurityEvents.js';
import { testLogger } from '../testing/logger.js';
import { failureDelayMs, LoginGuard } from './LoginGuard.js';

function guard(overrides: Partial<Record<keyof typeof LIMITS, LimitSpec>> = {}) {
  const spec = { ...LIMITS, ...overrides };
  const events: SecurityEvent[] = [];
  const security = new SecurityEvents(testLogger);
  security.on('event', (e) => events.push(e));
  const slept: number[] = [];
  const g = new LoginGuard(
    {
      perAddress: createLimit('loginPerIp', spec.loginPerIp),
      failuresPerUserAddress: createLimit('loginFailuresPerUserAddress', spec.loginFailuresPerUserAddress),
      failuresPerUser: createLimit('loginFailuresPerUser', spec.loginFailuresPerUser),
      successesPerUserAddress: createLimit('loginSuccessesPerUserAddress', spec.loginSuccessesPerUserAddress),
    },
    security,
    async (ms) => void slept.push(ms),
  );
  return { g, events, slept };
}

const wrong = () => Promise.reject(new UnauthorizedError('wrong username or password'));
const right = () => Promise.resolve('ok');
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: unknown) => (e instanceof RateLimitedError ? 429 : e instanceof UnauthorizedError ? 401 : 500),
  );

describe('LoginGuard', () => {
  it('stops concurrent guesses from one address at 10 (budgets are taken before the password check)', async () => {
    const { g } = guard({ loginPerIp: { points: 1000, durationSec: 900 } });
    const answers = await Promise.all(Array.from({ length: 25 }, () => outcome(g.attempt('ann', '198.51.100.1', wrong))));
    expect(answers.filter((a) => a === 401)).toHaveLength(10);
    expect(answers.filter((a) => a === 429)).toHaveLength(15);
    expect(await outcome(g.attempt('ann', '198.51.100.2', right))).toBe(200);
  });

  it('lets addresses the user signed in from through the per-user ceiling; new addresses wait', async () => {
    const { g, events } = guard({ loginFailuresPerUser: { points: 5, durationSec: 900 } });
    expect(await outcome(g.attempt('ann', 'desk', right))).toBe(200);
    for (let i = 0; i < 5; i++) expect(await outcome(g.attempt('ann', `bot-${i}`, wrong))).toBe(401);
    expect(await outcome(g.attempt('ann', 'bot-9', wrong))).toBe(429);
    expect(await outcome(g.attempt('ann', 'new-desk', right))).toBe(429);
    expect(await outcome(g.attempt('ann', 'desk', right))).toBe(200);
    expect(events.filter((e) => e.kind === 'login_failed')).toHaveLength(5);
    expect(events.filter((e) => e.kind === 'login_limited').map((e) => e['reason'])).toEqual(['user', 'user']);
  });

  it('delays failures progressively per (username, address) and forgets them after a success', async () => {
    const { g, slept } = guard();
    for (let i = 0; i < 6; i++) await outcome(g.attempt('ann', 'a', wrong));
    expect(slept).toEqual([0, 0, 0, 1000, 2000, 4000]);
    await outcome(g.attempt('ann', 'a', right));
    await outcome(g.attempt('ann', 'a', wrong));
    expect(slept.at(-1)).toBe(0);
    expect(failureDelayMs(10)).toBe(4000);
  });
});
