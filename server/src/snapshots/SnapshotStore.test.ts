import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { SnapshotStore } from './SnapshotStore.js';

const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 7)]);
let dir: string | undefined;
afterEach(async () => dir && rm(dir, { recursive: true, force: true }));

describe('SnapshotStore', () => {
  it('saves, lists in time order and reads back', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'snap-'));
    const store = new SnapshotStore(dir);
    const a = await store.save('s_abcdefgh', 'dispatcher', jpeg, new Date('2026-11-23T07:25:01.123Z'));
    const b = await store.save('s_abcdefgh', 'caller', jpeg, new Date('2026-11-23T07:26:00.000Z'));
    expect(await store.list('s_abcdefgh')).toEqual([a, b]);
    expect(a.at).toBe('2026-11-23T07:25:01.123Z');
    const read = await store.read('s_abcdefgh', b.name);
    expect(read.contentType).toBe('image/jpeg');
    expect(read.data.equals(jpeg)).toBe(true);
    expect(await store.list('s_other123')).toEqual([]);
  });

  it('refuses non-images and path tricks', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'snap-'));
    const store = new SnapshotStore(dir);
    await expect(store.save('s_abcdefgh', 'caller', Buffer.from('<html>not an image</html>'))).rejects.toBeInstanceOf(ValidationError);
    // HEIC is an image, but no browser in the console or /audit can show it: refused with the reason.
    const heic = Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(100)]);
    await expect(store.save('s_abcdefgh', 'caller', heic)).rejects.toThrow(/HEIC.*cannot be shown.*JPEG/);
    expect(await store.list('s_abcdefgh')).toEqual([]);
    await expect(store.read('s_abcdefgh', '../../etc/passwd')).rejects.toThrow(/not found/);
  });
});
