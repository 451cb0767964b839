import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogs } from '../audit/AuditLogs.js';
import { createLogger } from '../logging.js';
import { SessionService } from '../sessions/SessionService.js';
import { MemoryStore } from './MemoryStore.js';
import { restoreMemoryIndex, SERVER_RESTART } from './restoreMemoryIndex.js';

/**
 * Sessions survive a restart on the embedded default (issue #14, part 5): a new process's memory
 * store is rebuilt from the logs in DATA_DIR, and a session the old process stopped during is ended
 * with its reason, its log intact.
 */
let dir: string;
const log = createLogger('silent');
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'restore-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** One process's life: its own store and logs over the shared DATA_DIR. */
function processOn(dataDir: string) {
  const store = new MemoryStore();
  const audit = new AuditLogs(dataDir);
  const sessions = new SessionService(store, { eventLog: audit }, log);
  return { store, audit, sessions };
}

describe('restoreMemoryIndex', () => {
  it('puts every logged session back as it was, and ends the ones the previous process stopped during', async () => {
    const before = processOn(dir);
    const opening = (id: string, at: string) => ({ id, inviteCode: `code-${id}`, createdAt: at });
    await before.sessions.create(
      'ann',
      { phone: '+4791234567', incidentRef: 'INC-R-1', language: 'sv' },
      opening('s_restore_ended', '2026-11-30T10:00:00.000Z'),
    );
    await before.sessions.transition('s_restore_ended', 'sms_sent', 'system');
    await before.sessions.record('s_restore_ended', 'chat', 'caller', { text: 'hei' });
    await before.sessions.end('s_restore_ended', 'dispatcher:ann', 'dispatcher');
    await before.sessions.create('bob', { phone: '+4791234568' }, opening('s_restore_live', '2026-11-30T11:00:00.000Z'));
    for (const s of ['sms_sent', 'link_opened', 'consent_given', 'camera_granted', 'live'] as const)
      await before.sessions.transition('s_restore_live', s, 'caller');
    // A folder with media and no log says nothing of a session: left out.
    await mkdir(path.join(dir, 'sessions', 's_restore_nolog', 'snapshots'), { recursive: true });
    await writeFile(path.join(dir, 'sessions', 's_restore_nolog', 'snapshots', 'x.jpg'), 'x');

    const after = processOn(dir);
    expect(await after.store.listSessions({})).toEqual([]);
    const outcome = await restoreMemoryIndex(after.store, after.audit, log);
    expect(outcome).toEqual({ restored: 2, unfinished: ['s_restore_live'] });
    expect(await after.store.getSession('s_restore_ended')).toEqual({
      id: 's_restore_ended',
      status: 'ended',
      phone: '+47*****567',
      incidentRef: 'INC-R-1',
      language: 'sv',
      dispatcher: 'ann',
      createdAt: expect.any(String),
      endedAt: expect.any(String),
      endReason: 'dispatcher',
      inviteCode: '',
    });
    expect((await after.store.listSessions({ incidentRef: 'inc-r' })).map((s) => s.id)).toEqual(['s_restore_ended']);
    expect((await after.store.getSession('s_restore_live'))?.status).toBe('live');

    for (const id of outcome.unfinished) await after.sessions.end(id, 'system', SERVER_RESTART);
    expect(await after.store.getSession('s_restore_live')).toMatchObject({ status: 'ended', endReason: SERVER_RESTART, dispatcher: 'bob' });
    const events = await after.sessions.events('s_restore_live');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events.at(-1)).toMatchObject({ type: 'ended', actor: 'system', details: { reason: SERVER_RESTART } });
    for (const id of ['s_restore_ended', 's_restore_live']) {
      const storeCount = async () => (await after.store.listEvents(id)).length;
      expect(await after.audit.verifySession(id, { storeCount }), id).toMatchObject({ intact: true });
    }
  });
});
