import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLogs } from '../audit/AuditLogs.js';
import { testLogger } from '../testing/logger.js';
import { RetentionService } from './RetentionService.js';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A session with one recording and one still; its media is written before its log says it ended (as in the server). */
async function session(audit: AuditLogs, id: string, endedAt: string | undefined, hold = false): Promise<void> {
  await mkdir(path.join(dir, 'sessions', id, 'recordings'), { recursive: true });
  await mkdir(path.join(dir, 'sessions', id, 'snapshots'), { recursive: true });
  await writeFile(path.join(dir, 'sessions', id, 'recordings', 'seg-1.mkv'), 'x');
  await writeFile(path.join(dir, 'sessions', id, 'snapshots', 'a.jpeg'), 'y');
  await audit.appendSession(id, { type: 'created', at: '2026-01-01T10:00:00.000Z', actor: 'dispatcher:d' }, false);
  if (hold) await audit.appendSession(id, { type: 'legal_hold', at: '2026-01-01T10:05:00.000Z', actor: 'supervisor:s', details: { hold: true } }, false);
  if (endedAt) await audit.appendSession(id, { type: 'ended', at: endedAt, actor: 'dispatcher:d' }, true);
}

describe('RetentionService (injected clock)', () => {
  it('deletes expired media, keeps held sessions and recent ones, keeps and extends the log', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ret-'));
    const audit = new AuditLogs(dir);
    await session(audit, 's_expired_1', '2026-01-01T11:00:00.000Z');
    await session(audit, 's_onhold_01', '2026-01-01T11:00:00.000Z', true);
    await session(audit, 's_recent_01', '2026-01-30T11:00:00.000Z');
    await session(audit, 's_running_1', undefined);
    const retention = new RetentionService(audit, 30, testLogger, () => new Date('2026-02-05T00:00:00.000Z'));

    const report = await retention.run();
    expect(report.deleted).toEqual([{ sessionId: 's_expired_1', files: ['recordings/seg-1.mkv', 'snapshots/a.jpeg'] }]);
    expect(report.held).toEqual(['s_onhold_01']);
    expect(await readdir(path.join(dir, 'sessions', 's_expired_1', 'recordings'))).toEqual([]);
    expect(await readdir(path.join(dir, 'sessions', 's_onhold_01', 'recordings'))).toEqual(['seg-1.mkv']);
    expect(await readdir(path.join(dir, 'sessions', 's_recent_01', 'snapshots'))).toEqual(['a.jpeg']);

    const log = await audit.sessionLog('s_expired_1').records();
    expect(log.at(-1)).toMatchObject({ type: 'media_deleted', actor: 'system:retention', details: { files: ['recordings/seg-1.mkv', 'snapshots/a.jpeg'] } });
    expect(await audit.verifySession('s_expired_1')).toEqual({ intact: true, records: 3 });
    expect((await audit.access.records()).at(-1)).toMatchObject({ type: 'retention_run' });

    // A second run has nothing left to do.
    expect((await retention.run()).deleted).toEqual([]);
  });

  it('runs by itself on its timer: once shortly after start, then at every interval', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ret-'));
    const audit = new AuditLogs(dir);
    await session(audit, 's_expired_2', '2026-01-01T11:00:00.000Z');
    await session(audit, 's_onhold_02', '2026-01-01T11:00:00.000Z', true);
    const retention = new RetentionService(audit, 30, testLogger, () => new Date('2026-02-05T00:00:00.000Z'));
    retention.startDaily(200);
    try {
      await until(async () => (await readdir(path.join(dir, 'sessions', 's_expired_2', 'recordings'))).length === 0);
      // A session that expires later is cleaned by a later tick of the same timer.
      await session(audit, 's_expired_3', '2026-01-02T11:00:00.000Z');
      await until(async () => (await readdir(path.join(dir, 'sessions', 's_expired_3', 'snapshots'))).length === 0);
    } finally {
      // A tick may be mid-run (deleting, logging): the checks below and the clean-up wait for it.
      await retention.stop();
    }
    expect(await readdir(path.join(dir, 'sessions', 's_onhold_02', 'recordings'))).toEqual(['seg-1.mkv']);
    // Each session's deletion is logged once, however many ticks ran.
    for (const id of ['s_expired_2', 's_expired_3']) {
      const deletions = (await audit.sessionLog(id).records()).filter((r) => r.type === 'media_deleted');
      expect(deletions).toMatchObject([{ actor: 'system:retention', details: { files: ['recordings/seg-1.mkv', 'snapshots/a.jpeg'] } }]);
    }
  });
});

async function until(cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
