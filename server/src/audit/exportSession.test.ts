import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLogs } from './AuditLogs.js';
import { exportSession } from './exportSession.js';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('exportSession', () => {
  it('packs log, media and a verification report with file digests', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'exp-'));
    const audit = new AuditLogs(dir);
    const id = 's_export_01';
    await audit.appendSession(id, { type: 'created', at: '2026-01-01T10:00:00.000Z', actor: 'dispatcher:d' }, false);
    await audit.appendSession(id, { type: 'ended', at: '2026-01-01T10:10:00.000Z', actor: 'dispatcher:d' }, true);
    await mkdir(path.join(dir, 'sessions', id, 'recordings'), { recursive: true });
    await writeFile(path.join(dir, 'sessions', id, 'recordings', 'seg-1.mkv'), 'matroska bytes');

    const { stream, report } = await exportSession(audit, id, 'supervisor:sue');
    const archive = path.join(dir, 'out.tar.gz');
    await pipeline(stream, createWriteStream(archive));
    expect(report.log).toMatchObject({ intact: true, records: 2 });
    expect(report.files.map((f) => f.path)).toEqual(['log.jsonl', 'recordings/seg-1.mkv']);

    const out = path.join(dir, 'unpacked');
    await mkdir(out);
    await tar.extract({ file: archive, cwd: out });
    expect(await readFile(path.join(out, id, 'recordings', 'seg-1.mkv'), 'utf8')).toBe('matroska bytes');
    const unpackedReport = JSON.parse(await readFile(path.join(out, id, 'verification.json'), 'utf8'));
    expect(unpackedReport.generatedBy).toBe('supervisor:sue');
    expect((await readFile(path.join(out, id, 'log.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});
