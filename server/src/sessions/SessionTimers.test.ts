import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenService } from '../auth/tokens.js';
import { ConsoleSms } from '../sms/ConsoleSms.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { testLogger } from '../testing/logger.js';
import { SessionService } from './SessionService.js';
import { SessionTimers } from './SessionTimers.js';

function setup() {
  let now = new Date('2026-11-23T08:00:00.000Z');
  const clock = () => now;
  const store = new MemoryStore();
  const sessions = new SessionService(store, new ConsoleSms(() => {}), new TokenService(randomBytes(32)), { publicUrl: 'http://x', inviteTtlMs: 15 * 60_000, now: clock }, testLogger);
  const timers = new SessionTimers(sessions, { inviteTtlMs: 15 * 60_000, idleMs: 10 * 60_000, maxMs: 120 * 60_000 }, testLogger);
  return { sessions, timers, advance: (ms: number) => (now = new Date(now.getTime() + ms)), clock };
}

describe('SessionTimers', () => {
  it('ends a session whose invite was never used', async () => {
    const { sessions, timers, advance, clock } = setup();
    const s = await sessions.create('d1', { phone: '+4791234567' });
    advance(14 * 60_000);
    expect(await timers.sweep(clock())).toEqual([]);
    advance(60_000);
    expect(await timers.sweep(clock())).toEqual([s.id]);
    const after = await sessions.get(s.id);
    expect(after).toMatchObject({ status: 'ended', endReason: 'invite_expired' });
  });

  it('ends an idle session without video, and any session at its maximum lifetime', async () => {
    const { sessions, timers, advance, clock } = setup();
    const idle = await sessions.create('d1', { phone: '+4791234567' });
    await sessions.redeem(idle.inviteCode);
    const live = await sessions.create('d1', { phone: '+4791234568' });
    await sessions.redeem(live.inviteCode);
    await sessions.transition(live.id, 'live', 'system');
    advance(11 * 60_000);
    expect(await timers.sweep(clock())).toEqual([idle.id]);
    advance(110 * 60_000);
    expect(await timers.sweep(clock())).toEqual([live.id]);
    expect((await sessions.get(live.id)).endReason).toBe('max_lifetime');
  });
});
