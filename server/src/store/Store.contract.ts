import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InviteRecord, SessionRecord, Store } from './Store.js';

/** One behavioural contract for every Store implementation. */
export function storeContract(name: string, make: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({
      id: `s_${randomUUID().slice(0, 12)}`,
      status: 'created',
      phone: '+4791234567',
      language: 'nb',
      dispatcher: 'disp1',
      createdAt: new Date().toISOString(),
      inviteCode: 'c'.repeat(22),
      ...over,
    });
    const invite = (sessionId: string, over: Partial<InviteRecord> = {}): InviteRecord => ({
      code: randomUUID().replace(/-/g, ''),
      sessionId,
      role: 'caller',
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      ...over,
    });

    it('stores and returns sessions, and patches fields', async () => {
      const store = await make();
      const s = session({ incidentRef: 'INC-1' });
      await store.insertSession(s);
      expect(await store.getSession(s.id)).toEqual(s);
      await store.patchSession(s.id, { endReason: 'dispatcher', endedAt: '2026-01-01T00:00:00.000Z' });
      expect(await store.getSession(s.id)).toMatchObject({ incidentRef: 'INC-1', endReason: 'dispatcher' });
      expect(await store.getSession('s_missing_000')).toBeUndefined();
      await expect(store.insertSession(s)).rejects.toThrow();
      await store.close();
    });

    it('moves status only from the expected value', async () => {
      const store = await make();
      const s = session();
      await store.insertSession(s);
      expect(await store.compareAndSetStatus(s.id, 'created', 'sms_sent')).toBe(true);
      expect(await store.compareAndSetStatus(s.id, 'created', 'link_opened')).toBe(false);
      expect((await store.getSession(s.id))?.status).toBe('sms_sent');
      await store.close();
    });

    it('moves a session to another media node only from the expected one, once under a race', async () => {
      const store = await make();
      const placed = session({ mediaNode: 'node-a' });
      await store.insertSession(placed);
      expect((await store.getSession(placed.id))?.mediaNode).toBe('node-a');
      const claims = await Promise.all(['node-b', 'node-c', 'node-d'].map((n) => store.claimMediaNode(placed.id, 'node-a', n)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(['node-b', 'node-c', 'node-d']).toContain((await store.getSession(placed.id))?.mediaNode);
      const unplaced = session();
      await store.insertSession(unplaced);
      expect(await store.claimMediaNode(unplaced.id, 'node-a', 'node-b')).toBe(false);
      expect(await store.claimMediaNode(unplaced.id, undefined, 'node-b')).toBe(true);
      await store.patchSession(unplaced.id, { endReason: 'x' });
      expect((await store.getSession(unplaced.id))?.mediaNode).toBe('node-b');
      expect(await store.claimMediaNode('s_missing_000', undefined, 'node-b')).toBe(false);
      await store.close();
    });

    it('lists node heartbeats until they lapse', async () => {
      const store = await make();
      const id = `n_${randomUUID().slice(0, 8)}`;
      // A TTL long enough that a busy machine (files run in parallel) cannot lapse it between a
      // put and the listing right after; the lapse itself is then waited for, not slept past.
      await store.putNode({ id, load: 3, rooms: 1, at: new Date().toISOString() }, 1500);
      expect((await store.listNodes()).find((n) => n.id === id)).toMatchObject({ load: 3, rooms: 1 });
      await store.putNode({ id, load: 5, rooms: 2, at: new Date().toISOString() }, 1500);
      expect((await store.listNodes()).filter((n) => n.id === id)).toHaveLength(1);
      const deadline = Date.now() + 15_000;
      while ((await store.listNodes()).some((n) => n.id === id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await store.listNodes()).find((n) => n.id === id)).toBeUndefined();
      await store.putNode({ id, load: 0, rooms: 0, at: new Date().toISOString() }, 60_000);
      await store.removeNode(id);
      expect((await store.listNodes()).find((n) => n.id === id)).toBeUndefined();
      await store.close();
    });

    it('filters and orders sessions newest first', async () => {
      const store = await make();
      const dispatcher = `d_${randomUUID().slice(0, 8)}`;
      const a = session({ dispatcher, createdAt: '2026-03-01T10:00:00.000Z', incidentRef: 'A' });
      const b = session({ dispatcher, createdAt: '2026-03-02T10:00:00.000Z', incidentRef: 'B' });
      const c = session({ dispatcher: 'someone-else', createdAt: '2026-03-02T11:00:00.000Z' });
      for (const s of [a, b, c]) await store.insertSession(s);
      expect((await store.listSessions({ dispatcher })).map((s) => s.id)).toEqual([b.id, a.id]);
      expect((await store.listSessions({ dispatcher, incidentRef: 'A' })).map((s) => s.id)).toEqual([a.id]);
      // The incident reference as a supervisor types it: any part of it, in any case (issue #14, part 5).
      const inc = session({ dispatcher, createdAt: '2026-03-04T12:00:00.000Z', incidentRef: 'INC-2026-0417' });
      await store.insertSession(inc);
      for (const typed of ['inc-2026-0417', '0417', 'c-2026', ' Inc-2026 ']) {
        expect(
          (await store.listSessions({ dispatcher, incidentRef: typed })).map((s) => s.id),
          typed,
        ).toEqual([inc.id]);
      }
      expect(await store.listSessions({ dispatcher, incidentRef: '0418' })).toEqual([]);
      const ranged = await store.listSessions({ dispatcher, from: '2026-03-01T12:00:00Z', to: '2026-03-03T00:00:00Z' });
      expect(ranged.map((s) => s.id)).toEqual([b.id]);
      await store.close();
    });

    it('numbers events gap-free even when appended concurrently', async () => {
      const store = await make();
      const s = session();
      await store.insertSession(s);
      const appended = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.appendEvent(s.id, { type: 'created', at: new Date().toISOString(), actor: 'system', details: { i } })),
      );
      expect(appended.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      const listed = await store.listEvents(s.id);
      expect(listed.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(listed[0]).toMatchObject({ type: 'created', actor: 'system' });
      await store.close();
    });

    it('redeems an invite exactly once, even under a race, and records the first opening', async () => {
      const store = await make();
      const inv = invite('s_whatever_1');
      await store.putInvite(inv);
      expect(await store.markInviteOpened(inv.code, '2026-01-01T00:00:00.000Z')).toBe(true);
      expect(await store.markInviteOpened(inv.code, '2026-01-01T00:00:01.000Z')).toBe(false);
      const results = await Promise.all(Array.from({ length: 10 }, () => store.redeemInvite(inv.code, new Date().toISOString())));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'used')).toHaveLength(9);
      expect(await store.redeemInvite('nope'.repeat(5), new Date().toISOString())).toEqual({ ok: false, reason: 'missing' });
      const after = await store.getInvite(inv.code);
      expect(after?.openedAt).toBe('2026-01-01T00:00:00.000Z');
      expect(after?.redeemedAt).toBeDefined();
      await store.close();
    });

    it('hands out a spoken code once while it lives', async () => {
      const store = await make();
      const code = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
      const ref = { sessionId: 's_code_test1', inviteCode: 'i'.repeat(22), expiresAt: new Date(Date.now() + 60_000).toISOString() };
      expect(await store.putSpokenCode(code, ref, { maxLive: 1000 })).toBe('ok');
      expect(await store.putSpokenCode(code, { ...ref, sessionId: 's_code_test2' }, { maxLive: 1000 })).toBe('taken');
      expect(await store.getSpokenCode(code)).toEqual(ref);
      expect(await store.listSpokenCodes()).toContainEqual({ ...ref, code });
      await store.deleteSpokenCode(code);
      expect(await store.getSpokenCode(code)).toBeUndefined();
      expect(await store.listSpokenCodes()).not.toContainEqual({ ...ref, code });
      await store.close();
    });

    it('keeps at most maxLive spoken codes; a replacement frees its place in the same step, an expired code at once', async () => {
      const store = await make();
      for (const c of await store.listSpokenCodes()) await store.deleteSpokenCode(c.code);
      const ref = (n: number, ms = 60_000) => ({ sessionId: `s_cap_${n}`, inviteCode: 'i'.repeat(22), expiresAt: new Date(Date.now() + ms).toISOString() });
      expect(await store.putSpokenCode('100001', ref(1), { maxLive: 2 })).toBe('ok');
      expect(await store.putSpokenCode('100002', ref(2, 300), { maxLive: 2 })).toBe('ok');
      expect(await store.putSpokenCode('100003', ref(3), { maxLive: 2 })).toBe('full');
      expect(await store.putSpokenCode('100003', ref(1), { maxLive: 2, replaces: '100001' })).toBe('ok');
      expect(await store.getSpokenCode('100001')).toBeUndefined();
      expect((await store.listSpokenCodes()).map((c) => c.code).sort()).toEqual(['100002', '100003']);
      await new Promise((r) => setTimeout(r, 400));
      expect((await store.listSpokenCodes()).map((c) => c.code)).toEqual(['100003']);
      expect(await store.putSpokenCode('100004', ref(4), { maxLive: 2 })).toBe('ok');
      await store.close();
    });

    it('maps SMS provider message ids to sessions', async () => {
      const store = await make();
      const sid = `SM${randomUUID().replace(/-/g, '')}`;
      await store.putSmsRef(sid, 's_sms_test_1');
      expect(await store.getSmsRef(sid)).toBe('s_sms_test_1');
      expect(await store.getSmsRef('SMunknown')).toBeUndefined();
      await store.close();
    });

    it("keeps an SMS's furthest delivery status: a lower or equal rank never replaces it", async () => {
      const store = await make();
      const sid = `SM${randomUUID().replace(/-/g, '')}`;
      expect(await store.getSmsStatus(sid)).toBeUndefined();
      expect(await store.advanceSmsStatus(sid, 'sent', 4)).toBe(true);
      expect(await store.advanceSmsStatus(sid, 'delivered', 6)).toBe(true);
      expect(await store.advanceSmsStatus(sid, 'undelivered', 5)).toBe(false);
      expect(await store.advanceSmsStatus(sid, 'delivered', 6)).toBe(false);
      expect(await store.getSmsStatus(sid)).toBe('delivered');
      // Racing callbacks: exactly one of equal rank is recorded.
      const other = `SM${randomUUID().replace(/-/g, '')}`;
      const outcomes = await Promise.all(['failed', 'undelivered', 'canceled'].map((st) => store.advanceSmsStatus(other, st, 5)));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      await store.close();
    });

    it('tells a message’s first callback of a status from a repeat, also when they race', async () => {
      const store = await make();
      const sid = `SM${randomUUID().replace(/-/g, '')}`;
      expect(await store.firstSmsCallback(sid, 'delivered')).toBe(true);
      expect(await store.firstSmsCallback(sid, 'delivered')).toBe(false);
      expect(await store.firstSmsCallback(sid, 'sent')).toBe(true);
      const racing = await Promise.all([1, 2, 3].map(() => store.firstSmsCallback(sid, 'failed')));
      expect(racing.filter(Boolean)).toHaveLength(1);
      await store.close();
    });

    it('adds users once and counts them', async () => {
      const store = await make();
      const before = await store.countUsers();
      const username = `u_${randomUUID().slice(0, 8)}`;
      const user = { username, role: 'dispatcher' as const, passwordHash: 'x', createdAt: new Date().toISOString() };
      expect(await store.addUser(user)).toBe(true);
      expect(await store.addUser({ ...user, role: 'supervisor' })).toBe(false);
      expect(await store.getUser(username)).toEqual(user);
      expect(await store.countUsers()).toBe(before + 1);
      expect(await store.removeUser(username)).toBe(true);
      expect(await store.getUser(username)).toBeUndefined();
      expect(await store.countUsers()).toBe(before);
      expect(await store.removeUser(username)).toBe(false);
      await store.close();
    });

    it('keeps a staff login until it is deleted or its time is up', async () => {
      const store = await make();
      const id = randomUUID();
      const login = { username: 'ann', authAt: Date.now(), expiresAt: Date.now() + 60_000 };
      await store.putStaffLogin(id, login, 60_000);
      expect(await store.getStaffLogin(id)).toEqual(login);
      expect(await store.deleteStaffLogin(id)).toBe(true);
      expect(await store.getStaffLogin(id)).toBeUndefined();
      expect(await store.deleteStaffLogin(id)).toBe(false);
      await store.putStaffLogin(id, login, 50);
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.getStaffLogin(id)).toBeUndefined();
      await store.close();
    });
  });
}
