import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../errors.js';
import { LIMITS } from '../ratelimit/limits.js';
import { estimateLogBytes, SocketBudgets, tokenKey } from './SocketBudgets.js';

const caller = (sessionId: string) => ({ typ: 'caller' as const, sessionId });
const viewer = (sessionId: string, viewerId: string) => ({ typ: 'viewer' as const, sessionId, viewerId });

async function spendUntilRefused(fn: () => Promise<void>, max: number): Promise<{ spent: number; err: unknown }> {
  for (let spent = 0; spent <= max; spent++) {
    const err = await fn().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err) return { spent, err };
  }
  return { spent: max + 1, err: undefined };
}

describe('SocketBudgets (issue #11 item 2)', () => {
  it('charges a token its own budget, and names the budget that ran out', async () => {
    const budgets = new SocketBudgets();
    const { spent, err } = await spendUntilRefused(() => budgets.spend(caller('s1'), 'chat', 's1', 0), 1000);
    expect(spent).toBe(LIMITS.chatPerToken.points);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).limit).toBe('chatPerToken');
    // Another kind, and another session's caller, are untouched.
    await budgets.spend(caller('s1'), 'location', 's1', 0);
    await budgets.spend(caller('s2'), 'chat', 's2', 0);
  });

  it('caps a session across its tokens (several viewers), and bounds the bytes its log grows by', async () => {
    const budgets = new SocketBudgets();
    let total = 0;
    for (let v = 0; v < 10; v++) {
      const { spent } = await spendUntilRefused(() => budgets.spend(viewer('s3', `v${v}`), 'chat', 's3', 0), 1000);
      total += spent;
    }
    expect(total).toBe(LIMITS.chatPerSession.points);

    const record = estimateLogBytes({ sessionId: 's4', text: 'x'.repeat(500) });
    let bytes = 0;
    for (let i = 0; i < 10_000; i++) {
      // A kind with no session-wide count of its own, from ever new viewers: only the bytes can stop it.
      const err = await budgets.spend(viewer('s4', `w${i}`), 'transport', 's4', record).then(
        () => undefined,
        (e: RateLimitedError) => e,
      );
      if (err) {
        expect(err.limit).toBe('logBytesPerSession');
        break;
      }
      bytes += record;
    }
    expect(bytes).toBeLessThanOrEqual(LIMITS.logBytesPerSession.points);
    expect(bytes).toBeGreaterThan(LIMITS.logBytesPerSession.points - record);
  });

  it('never charges staff (a caller flooding chat must not silence the dispatcher)', async () => {
    const budgets = new SocketBudgets();
    const staff = { typ: 'staff' as const, username: 'disp', role: 'dispatcher' as const, sid: 'login-1' };
    for (let i = 0; i < 300; i++) await budgets.spend(staff, 'chat', 's5', 1000);
    expect(tokenKey(staff)).toBe('staff:disp');
    expect(tokenKey(viewer('s', 'v'))).toBe('viewer:s:v');
    // Anyone with the link mints pre-tap credentials: they must not share the caller's slots and budgets.
    expect(tokenKey({ typ: 'pretap', sessionId: 's', invite: 'i' })).toBe('pretap:s');
    expect(tokenKey({ typ: 'caller', sessionId: 's' })).toBe('caller:s');
  });
});
