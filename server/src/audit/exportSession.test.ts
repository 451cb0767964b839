import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLogs } from './AuditLogs.js';
import { loadCheckpointSigner } from './checkpointKey.js';
import { Checkpoints } from './Checkpoints.js';
import { exportSession, type VerificationReport } from './exportSession.js';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('exportSession', () => {
  it('packs log, media and a verification report whose digests are those of the files in the archive', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'exp-'));
    const audit = new AuditLogs(dir);
    const id = 's_export_01';
    await audit.appendSession(id, { type: 'created', at: '2026-01-01T10:00:00.000Z', actor: 'dispatcher:d' }, false);
    await audit.appendSession(id, { type: 'ended', at: '2026-01-01T10:10:00.000Z', actor: 'dispatcher:d' }, true);
    // Binary media, larger than one read chunk (64 KiB), with bytes that are not valid UTF-8.
    const recording = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0xff, 0xfe, 0x80]), randomBytes(200_000)]);
    const still = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3_000)]);
    await mkdir(path.join(dir, 'sessions', id, 'recordings'), { recursive: true });
    await mkdir(path.join(dir, 'sessions', id, 'snapshots'), { recursive: true });
    await writeFile(path.join(dir, 'sessions', id, 'recordings', 'seg-1.mkv'), recording);
    await writeFile(path.join(dir, 'sessions', id, 'snapshots', 'still-1.jpeg'), still);

    const { stream, report } = await exportSession(audit, id, 'supervisor:sue');
    const archive = path.join(dir, 'out.tar.gz');
    await pipeline(stream, createWriteStream(archive));
    expect(report.log).toMatchObject({ intact: true, records: 2 });
    expect(report.files.map((f) => f.path)).toEqual(['log.jsonl', 'recordings/seg-1.mkv', 'snapshots/still-1.jpeg']);

    const out = path.join(dir, 'unpacked');
    await mkdir(out);
    await tar.extract({ file: archive, cwd: out });
    const unpackedReport = JSON.parse(await readFile(path.join(out, id, 'verification.json'), 'utf8')) as VerificationReport;
    expect(unpackedReport).toEqual(report);
    expect(unpackedReport.generatedBy).toBe('supervisor:sue');
    // Each digest is checked against the file actually in the archive, and against the original.
    for (const f of unpackedReport.files) {
      const inArchive = await readFile(path.join(out, id, f.path));
      expect({ path: f.path, bytes: inArchive.length, sha256: sha256(inArchive) }).toEqual(f);
    }
    expect(report.files[1]).toMatchObject({ bytes: recording.length, sha256: sha256(recording) });
    expect(report.files[2]).toMatchObject({ bytes: still.length, sha256: sha256(still) });
    expect((await readFile(path.join(out, id, 'log.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('ships the log as it verified it: a look appended meanwhile is in neither the report nor the archive, and every digest holds', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'exp-'));
    const signer = await loadCheckpointSigner(path.join(dir, 'key.pem'), true);
    const cp = new Checkpoints(dir, { signer, keys: new Map(), node: 'node-a' });
    const audit = new AuditLogs(dir, cp);
    const id = 's_export_02';
    await audit.appendSession(id, { type: 'created', at: '2026-01-01T10:00:00.000Z', actor: 'dispatcher:d' }, false);
    await audit.appendSession(id, { type: 'ended', at: '2026-01-01T10:10:00.000Z', actor: 'dispatcher:d' }, true);
    // A slow reader: while the export reads the checkpoints, another supervisor opens the session.
    const view = cp.view.bind(cp);
    let look: Promise<unknown> | undefined;
    cp.view = async () => {
      if (!look) {
        look = audit.appendSession(id, { type: 'supervisor_viewed', at: new Date().toISOString(), actor: 'supervisor:bob' }, true);
        await Promise.race([look, new Promise((r) => setTimeout(r, 400))]);
      }
      return view();
    };
    const { stream, report } = await exportSession(audit, id, 'supervisor:sue');
    await look;
    const archive = path.join(dir, 'out.tar.gz');
    await pipeline(stream, createWriteStream(archive));
    const out = path.join(dir, 'unpacked');
    await mkdir(out);
    await tar.extract({ file: archive, cwd: out });
    const log = await readFile(path.join(out, id, 'log.jsonl'));
    expect(report.files[0]).toEqual({ path: 'log.jsonl', bytes: log.length, sha256: sha256(log) });
    const lines = log.toString('utf8').trim().split('\n');
    expect(report.log).toMatchObject({
      intact: true,
      records: lines.length,
      head: { seq: lines.length, hash: (JSON.parse(lines.at(-1)!) as { hash: string }).hash },
    });
  });
});
