import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogs } from '../audit/AuditLogs.js';
import { createLogger } from '../logging.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { restoreMemoryIndex } from '../store/restoreMemoryIndex.js';
import { DataDirNotEmptyError, writeDemoData } from './demoData.js';
import { demoSessions } from './demoSessions.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'demo-data-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('writeDemoData', () => {
  it('writes logs a restarted server restores as ended sessions of their dispatchers, each verified intact', async () => {
    const sessions = demoSessions({ sessions: 40, seed: 2, now: new Date() });
    await writeDemoData(new AuditLogs(dir), sessions);
    const store = new MemoryStore();
    const audit = new AuditLogs(dir);
    expect((await restoreMemoryIndex(store, audit, createLogger('silent'))).restored).toBe(40);
    const listed = await store.listSessions({});
    expect(listed.map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());
    for (const s of sessions) {
      const restored = listed.find((r) => r.id === s.id)!;
      expect(restored).toMatchObject({ status: 'ended', dispatcher: s.dispatcher, createdAt: s.createdAt });
      const verified = await audit.verifySession(s.id, { storeCount: async () => (await store.listEvents(s.id)).length });
      expect(verified).toMatchObject({ intact: true, records: s.events.length });
    }
  });

  it('refuses a data directory that holds sessions, and leaves it as it was', async () => {
    await writeDemoData(new AuditLogs(dir), demoSessions({ sessions: 3, seed: 1, now: new Date() }));
    const ids = await readdir(path.join(dir, 'sessions'));
    const before = await Promise.all(ids.map((id) => readFile(path.join(dir, 'sessions', id, 'log.jsonl'), 'utf8')));
    const again = writeDemoData(new AuditLogs(dir), demoSessions({ sessions: 3, seed: 9, now: new Date() }));
    await expect(again).rejects.toBeInstanceOf(DataDirNotEmptyError);
    await expect(again).rejects.toThrow(/already holds 3 session\(s\)/);
    expect(await readdir(path.join(dir, 'sessions'))).toEqual(ids);
    expect(await Promise.all(ids.map((id) => readFile(path.join(dir, 'sessions', id, 'log.jsonl'), 'utf8')))).toEqual(before);
  });
});
