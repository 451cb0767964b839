import { execFileSync } from 'node:child_process';
import { appendFile, mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainedLogFile, type TailRepair } from './ChainedLogFile.js';

/**
 * A log append that meets a full disk writes its whole line or nothing (issue #11, item 3): on a
 * real 1 MB tmpfs (root only), filled to the last byte by another file, as uploads or a recording do.
 */
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'chained-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
});

afterAll(async () => {
  execFileSync('umount', [dir]);
  await rm(dir, { recursive: true, force: true });
});

const record = (i: number) => ({ at: new Date().toISOString(), type: 'chat', actor: 'caller', details: { text: `message ${i} `.padEnd(300, '.') } });

/** Fills the file system with `file` until a write fails; returns nothing left to write into. */
async function fill(file: string): Promise<void> {
  const fh = await open(file, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) await fh.write(chunk);
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    await fh.close();
  }
}

describe('ChainedLogFile on a full disk', () => {
  it('rolls an append that does not fit back to the last whole record, and takes records again once there is room', async () => {
    const log = new ChainedLogFile(path.join(dir, 'full.jsonl'), 's_fulldisk1');
    await log.append(record(0));
    await fill(path.join(dir, 'filler'));
    let taken = 1;
    let refused: unknown;
    // The log's last page has some room: appends go in until one meets the end of the disk.
    for (let i = 1; i < 100 && !refused; i++) {
      await log.append(record(i)).then(
        () => taken++,
        (err: unknown) => (refused = err),
      );
      const text = await readFile(log.file, 'utf8');
      expect(text.endsWith('\n'), `after append ${i}: whole lines only`).toBe(true);
    }
    expect(refused, 'the disk did run out').toBeDefined();
    expect((refused as { code?: string }).code).toBe('insufficient_storage');
    expect(await log.verify()).toMatchObject({ intact: true, records: taken });
    await rm(path.join(dir, 'filler'));
    await log.append(record(999));
    expect(await log.verify()).toMatchObject({ intact: true, records: taken + 1 });
  });

  it('repairs a torn last line: keeps every whole record, sets the fragment aside, and says so', async () => {
    const log = new ChainedLogFile(path.join(dir, 'torn.jsonl'), 's_tornlog1');
    const repairs: TailRepair[] = [];
    log.on('repaired', (r) => repairs.push(r));
    for (let i = 0; i < 3; i++) await log.append(record(i));
    expect(await log.repairTail()).toBeUndefined();
    await appendFile(log.file, '{"seq":4,"at":"2026-11-30T10:00:00.000Z","ty');
    const repair = await log.repairTail();
    expect(repair).toMatchObject({ logId: 's_tornlog1', keptRecords: 3, cutBytes: 44 });
    expect(repairs).toEqual([repair]);
    expect(await log.verify()).toMatchObject({ intact: true, records: 3 });
    const aside = (await readdir(dir)).find((n) => n.startsWith('torn.jsonl.torn-'));
    expect(await readFile(path.join(dir, aside!), 'utf8')).toBe('{"seq":4,"at":"2026-11-30T10:00:00.000Z","ty');
    // An append finds a torn tail by itself too (another process died mid-append).
    await appendFile(log.file, '{"seq":4');
    await log.append(record(4));
    expect(await log.verify()).toMatchObject({ intact: true, records: 4 });
    expect(repairs).toHaveLength(2);
  });
});
