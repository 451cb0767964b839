import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withFileLock } from './fileLock.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-lock-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const locked = () => new Error('locked');

describe('withFileLock', () => {
  it('breaks at once a fresh lock left on this host by a process that has exited (a node killed mid-append, then restarted)', async () => {
    const file = path.join(dir, 'dead.jsonl');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    await writeFile(`${file}.lock`, `${os.hostname()} ${gone}`);
    const t0 = Date.now();
    expect(await withFileLock(file, async () => 'ran', 1_000, locked)).toBe('ran');
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('waits for a live holder, and names its owner in the lock', async () => {
    const file = path.join(dir, 'live.jsonl');
    let inside = '';
    const held = withFileLock(
      file,
      async () => {
        inside = await readFile(`${file}.lock`, 'utf8');
        await new Promise((r) => setTimeout(r, 200));
      },
      1_000,
      locked,
    );
    await new Promise((r) => setTimeout(r, 20));
    await expect(withFileLock(file, async () => 'late', 50, locked)).rejects.toThrow('locked');
    await held;
    expect(inside).toBe(`${os.hostname()} ${process.pid}`);
    expect(await withFileLock(file, async () => 'after', 50, locked)).toBe('after');
  });

  it('keeps a fresh lock from another host (its process cannot be checked from here)', async () => {
    const file = path.join(dir, 'other-host.jsonl');
    await writeFile(`${file}.lock`, 'some-other-host 1');
    await expect(withFileLock(file, async () => 'ran', 100, locked)).rejects.toThrow('locked');
  });
});
