import { describe, expect, it, vi } from 'vitest';
import { SessionTimers } from '../sessions/SessionTimers.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { testLogger } from '../testing/logger.js';
import { sessionServices } from '../testing/sessionServices.js';

const MAX_LIVE = 3;

/** One node's services on `store` (several calls: several nodes sharing it). */
function node(store: MemoryStore) {
  const { sessions, invites } = sessionServices({
    store,
    inviteTtlMs: 15 * 60_000,
    invites: { spokenCodeTtlMs: 10 * 60_000, maxLiveSpokenCodes: MAX_LIVE, viewerTtlMs: 60_000, recordingPolicy: 'off' },
  });
  return { sessions, invites };
}

async function fill(n: ReturnType<typeof node>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < MAX_LIVE; i++) {
    const s = await n.invites.create('d1', { phone: '+4791234567' });
    await n.invites.issueSpokenCode(s.id, 'dispatcher:d1');
    ids.push(s.id);
  }
  const extra = await n.invites.create('d1', { phone: '+4791234567' });
  await expect(n.invites.issueSpokenCode(extra.id, 'dispatcher:d1')).rejects.toMatchObject({ code: 'unavailable' });
  return [...ids, extra.id];
}

describe('InviteService: the cap counts only codes that can still let a caller in', () => {
  it('deletes the code of a session the server’s timers end', async () => {
    const store = new MemoryStore();
    const n = node(store);
    const [first, , , extra] = await fill(n);
    const timers = new SessionTimers(n.sessions, { inviteTtlMs: 15 * 60_000, idleMs: 10 * 60_000, maxMs: 120 * 60_000 }, testLogger);
    // Only the first session is due: the sweep runs as if at its invite's expiry.
    expect(await timers.sweep(new Date(Date.parse((await n.sessions.get(first!)).createdAt) + 15 * 60_000))).toContain(first);
    await vi.waitFor(async () => expect((await store.listSpokenCodes()).map((c) => c.sessionId)).not.toContain(first));
    await expect(n.invites.issueSpokenCode(extra!, 'dispatcher:d1')).resolves.toMatchObject({ code: expect.stringMatching(/^\d{6}$/) });
  });

  it('frees, when the cap is reached, the places of codes another node’s end or redemption left behind', async () => {
    const store = new MemoryStore();
    const a = node(store);
    // Node b's InviteService hears nothing of its sessions' events: it stands for a node that crashed before deleting.
    const b = node(store);
    b.sessions.removeAllListeners('event');
    const [first, second, third, extra] = await fill(a);
    // Node b ends one session and lets another's caller in: node a hears of neither.
    await b.sessions.end(first!, 'dispatcher:d1', 'dispatcher');
    await b.invites.redeem((await b.sessions.get(second!)).inviteCode);
    expect(await store.listSpokenCodes()).toHaveLength(MAX_LIVE);
    await a.invites.issueSpokenCode(extra!, 'dispatcher:d1');
    const another = await a.invites.create('d1', { phone: '+4791234567' });
    await a.invites.issueSpokenCode(another.id, 'dispatcher:d1');
    expect((await store.listSpokenCodes()).map((c) => c.sessionId).sort()).toEqual([third, extra, another.id].sort());
  });
});
