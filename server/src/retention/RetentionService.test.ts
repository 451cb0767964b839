import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLogs } from '../audit/AuditLogs.js';
import { testLogger } from '../testing/logger.js';
import { RetentionService } from './RetentionService.js';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

async function session(audit: AuditLogs, id: string, endedAt: string | undefined, hold = false): Promise<void> {
  await audit.appendSession(id, { type: 'created', at: '2026-01-01T10:00:00.000Z', actor: 'dispatcher:d' }, false);
  if (hold) await audit.appendSession(id, { type: 'legal_hold', at: '2026-01-01T10:05:00.000Z', actor: 'supervisor:s', details: { hold: true } }, false);
  if (endedAt) await audit.appendSession(id, { type: 'ended', at: endedAt, actor: 'dispatcher:d' }, true);
  await mkdir(path.join(dir, 'sessions', id, 'recordings'), { recursive: true });
  await mkdir(path.join(dir, 'sessions', id, 'snapshots'), { recursive: true });
  await writeFile(path.join(dir, 'sessions', id, 'recordings', 'seg-1.mkv'), 'x');
  await writeFile(path.join(dir, 'sessions', id, 'snapshots', 'a.jpeg'), 'y');
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
});
