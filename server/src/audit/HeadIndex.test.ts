import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HeadIndex } from './HeadIndex.js';

let dir: string | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HeadIndex', () => {
  it('writes the anchors of many logs that arrive together with one fdatasync between them, each durable before it resolves', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-heads-'));
    const probe = await open(path.join(dir, 'probe'), 'w');
    const handle = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const synced: number[] = [];
    const index = new HeadIndex(dir);
    const original = handle.datasync;
    // Counts fdatasyncs of the index file, and how many lines it held at each.
    vi.spyOn(handle, 'datasync').mockImplementation(async function (this: unknown) {
      await original.call(this);
      synced.push((await readFile(index.file, 'utf8')).split('\n').filter(Boolean).length);
    });
    // 50 sessions created at once (a join storm): 50 first records to anchor.
    await Promise.all(Array.from({ length: 50 }, (_, i) => index.setGenesis(`s${i}`, { seq: 1, hash: `h${i}` })));
    expect(synced.length).toBeLessThanOrEqual(3);
    expect(synced.at(-1)).toBe(50);
    const again = new HeadIndex(dir);
    for (let i = 0; i < 50; i++) expect(await again.anchors(`s${i}`)).toEqual({ genesis: { seq: 1, hash: `h${i}` }, head: undefined });
  });

  it('keeps the first genesis of a log and the latest head, written together or apart', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-heads-'));
    const index = new HeadIndex(dir);
    await Promise.all([
      index.setGenesis('a', { seq: 1, hash: 'first' }),
      index.setGenesis('a', { seq: 1, hash: 'second' }),
      index.set('a', { seq: 5, hash: 'h5' }),
    ]);
    await index.set('a', { seq: 7, hash: 'h7' });
    expect(await index.anchors('a')).toEqual({ genesis: { seq: 1, hash: 'first' }, head: { seq: 7, hash: 'h7' } });
    expect(await new HeadIndex(dir).anchors('a')).toEqual({ genesis: { seq: 1, hash: 'first' }, head: { seq: 7, hash: 'h7' } });
  });
});
