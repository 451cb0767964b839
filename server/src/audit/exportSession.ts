import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar';
import { ConflictError } from '../errors.js';
import { SessionFolder } from '../storage/SessionFolder.js';
import type { AuditLogs } from './AuditLogs.js';

export interface VerificationReport {
  sessionId: string;
  generatedAt: string;
  generatedBy: string;
  log: { intact: boolean; records: number; firstBadSeq?: number; reason?: string; head?: { seq: number; hash: string } };
  files: { path: string; bytes: number; sha256: string }[];
}

/**
 * One archive per session (tar.gz): its log, recordings, stills, and a verification report with the
 * log's check and a SHA-256 of every file, so the receiver can tell the archive is whole. The log
 * shipped is the very snapshot verified (AuditLogs.snapshotSession), written into the archive as
 * it was then: a look appended while the archive is built is in neither, and its digest holds.
 */
export async function exportSession(audit: AuditLogs, sessionId: string, by: string): Promise<{ stream: Readable; report: VerificationReport }> {
  const folder = new SessionFolder(audit.dataDir, sessionId);
  const dir = folder.path;
  const media = await folder.mediaFiles();
  const snap = await audit.snapshotSession(sessionId);
  const log = Buffer.from(snap.lines.map((l) => `${l}\n`).join(''), 'utf8');
  const logRel = path.basename(folder.log);
  const report: VerificationReport = {
    sessionId,
    generatedAt: new Date().toISOString(),
    generatedBy: by,
    log: { ...snap.result, ...(snap.head && { head: snap.head }) },
    files: [
      { path: logRel, bytes: log.length, sha256: createHash('sha256').update(log).digest('hex') },
      ...(await Promise.all(media.map(async (f) => ({ path: f.rel, ...(await digest(path.join(dir, f.rel))) })))),
    ],
  };
  // One tidy root: the log snapshot and the report as files, the media as symlinks (not copied).
  const staging = await mkdtemp(path.join(os.tmpdir(), 'sightline-export-'));
  const root = path.join(staging, sessionId);
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, logRel), log);
  for (const f of media) {
    await mkdir(path.dirname(path.join(root, f.rel)), { recursive: true });
    await symlink(path.join(dir, f.rel), path.join(root, f.rel));
  }
  await writeFile(path.join(root, 'verification.json'), `${JSON.stringify(report, null, 2)}\n`);
  const stream = tar.create({ gzip: true, cwd: staging, follow: true, portable: true }, [sessionId]) as unknown as Readable;
  const clean = () => void rm(staging, { recursive: true, force: true });
  stream.once('close', clean);
  stream.once('end', clean);
  stream.once('error', clean);
  return { stream, report };
}

/** Throws ConflictError (409) when the file went away after the listing (retention, an operator): try again. */
async function digest(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new ConflictError(`${path.basename(file)} went away while the export was prepared; export again`);
    throw err;
  }
  return { bytes, sha256: hash.digest('hex') };
}
