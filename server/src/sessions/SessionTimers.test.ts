import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/MemoryStore.js';
import { testLogger } from '../testing/logger.js';
import { sessionServices } from '../testing/sessionServices.js';
import { SessionTimers } from './SessionTimers.js';

function setup() {
  let now = new Date('2026-11-23T08:00:00.000Z');
  const clock = () => now;
  const store = new MemoryStore();
  const { sessions, invites } = sessionServices({ store, inviteTtlMs: 15 * 60_000, now: clock });
  const timers = new SessionTimers(sessions, { inviteTtlMs: 15 * 60_000, idleMs: 10 * 60_000, maxMs: 120 * 60_000 }, testLogger);
  return { sessions, invites, timers, advance: (ms: number) => (now = new Date(now.getTime() + ms)), clock };
}

describe('SessionTimers', () => {
  it('ends a session whose invite was never used', async () => {
    const { sessions, invites, timers, advance, clock } = setup();
    const s = await invites.create('d1', { phone: '+4791234567' });
    advance(14 * 60_000);
    expect(await timers.sweep(clock())).toEqual([]);
    advance(60_000);
    expect(await timers.sweep(clock())).toEqual([s.id]);
    const after = await sessions.get(s.id);
    expect(after).toMatchObject({ status: 'ended', endReason: 'invite_expired' });
  });

  it('ends an idle session without video, and any session at its maximum lifetime', async () => {
    const { sessions, invites, timers, advance, clock } = setup();
    const idle = await invites.create('d1', { phone: '+4791234567' });
    await invites.redeem(idle.inviteCode);
    const live = await invites.create('d1', { phone: '+4791234568' });
    await invites.redeem(live.inviteCode);
    await sessions.transition(live.id, 'live', 'system');
    advance(11 * 60_000);
    expect(await timers.sweep(clock())).toEqual([idle.id]);
    advance(110 * 60_000);
    expect(await timers.sweep(clock())).toEqual([live.id]);
    expect((await sessions.get(live.id)).endReason).toBe('max_lifetime');
  });
});
