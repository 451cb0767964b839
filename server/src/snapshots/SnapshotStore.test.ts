import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageRefusedError, InsufficientStorageError, ValidationError } from '../errors.js';
import { DiskSpace } from '../storage/DiskSpace.js';
import { bombPng } from '../testing/bombPng.js';
import { SnapshotStore } from './SnapshotStore.js';

let dir: string | undefined;
afterEach(async () => dir && rm(dir, { recursive: true, force: true }));
const tmp = async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'snap-')));

const picture = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } });
const jpeg = () => picture(64, 48).jpeg().toBuffer();

describe('SnapshotStore', () => {
  it('saves, lists in time order and reads back', async () => {
    const store = new SnapshotStore(await tmp());
    const image = await jpeg();
    const a = await store.save('s_abcdefgh', 'dispatcher', image, new Date('2026-11-23T07:25:01.123Z'));
    const b = await store.save('s_abcdefgh', 'caller', image, new Date('2026-11-23T07:26:00.000Z'));
    expect(await store.list('s_abcdefgh')).toEqual([a, b]);
    expect(a.at).toBe('2026-11-23T07:25:01.123Z');
    const read = await store.read('s_abcdefgh', b.name);
    expect(read.contentType).toBe('image/jpeg');
    expect(read.data.length).toBe(b.bytes);
    expect(await sharp(read.data).metadata()).toMatchObject({ format: 'jpeg', width: 64, height: 48 });
    expect(await store.list('s_other123')).toEqual([]);
  });

  it('refuses non-images and path tricks', async () => {
    const store = new SnapshotStore(await tmp());
    await expect(store.save('s_abcdefgh', 'caller', Buffer.from('<html>not an image</html>'))).rejects.toBeInstanceOf(ValidationError);
    // HEIC is an image, but no browser in the console or /audit can show it: refused with the reason.
    const heic = Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(100)]);
    await expect(store.save('s_abcdefgh', 'caller', heic)).rejects.toThrow(/HEIC.*cannot be shown.*JPEG/);
    expect(await store.list('s_abcdefgh')).toEqual([]);
    await expect(store.read('s_abcdefgh', '../../etc/passwd')).rejects.toThrow(/not found/);
  });

  it('refuses a decompression bomb (20000×20000 PNG, 50 kB) before decoding it, and magic bytes with no picture behind them', async () => {
    const store = new SnapshotStore(await tmp());
    const bomb = bombPng(20_000, 20_000);
    expect(bomb.length).toBeLessThan(100_000);
    const started = performance.now();
    const refused = await store.save('s_abcdefgh', 'caller', bomb).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ImageRefusedError);
    expect(refused).toMatchObject({ reason: 'too_many_pixels', status: 413 });
    // Refused from the header: far less than decoding 400 MP would take (meaningful, not a speed bound).
    expect(performance.now() - started).toBeLessThan(5_000);
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]), Buffer.alloc(500, 0x11)]);
    await expect(store.save('s_abcdefgh', 'caller', fake)).rejects.toMatchObject({ reason: 'undecodable', status: 400 });
    const truncated = (await jpeg()).subarray(0, 200);
    await expect(store.save('s_abcdefgh', 'caller', truncated)).rejects.toMatchObject({ reason: 'undecodable' });
    expect(await readdir(dir!)).toEqual([]);
  });

  it('re-encodes JPEG, PNG and WebP in their own format, at most 2048 px a side, upright, without EXIF (GPS included)', async () => {
    const store = new SnapshotStore(await tmp());
    // A 3000×1000 photo with GPS and camera EXIF, stored sideways with orientation 6 (rotate 90°).
    const photo = await picture(3000, 1000)
      .withExif({
        IFD0: { Make: 'PhoneMaker', Model: 'Phone 12' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '59/1 54/1 4577/100', GPSLongitudeRef: 'E', GPSLongitude: '10/1 44/1 3381/100' },
      })
      .jpeg()
      .toBuffer();
    const rotated = await sharp(photo).keepExif().withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect(await sharp(rotated).metadata()).toMatchObject({ orientation: 6, exif: expect.any(Buffer) });
    expect(rotated.includes(Buffer.from('PhoneMaker')), 'the camera EXIF is in the upload').toBe(true);
    const saved = await store.save('s_abcdefgh', 'caller', rotated);
    const { data } = await store.read('s_abcdefgh', saved.name);
    const meta = await sharp(data).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 683, height: 2048 });
    expect(meta.exif, 'no EXIF at all, so no GPS').toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(data.includes(Buffer.from('PhoneMaker'))).toBe(false);

    const png = await store.save('s_abcdefgh', 'dispatcher', await picture(640, 480).png().toBuffer());
    expect(await sharp((await store.read('s_abcdefgh', png.name)).data).metadata()).toMatchObject({ format: 'png', width: 640, height: 480 });
    const webp = await store.save('s_abcdefgh', 'caller', await picture(4000, 3000).webp().toBuffer());
    expect(webp.name).toMatch(/\.webp$/);
    expect(await sharp((await store.read('s_abcdefgh', webp.name)).data).metadata()).toMatchObject({ format: 'webp', width: 2048, height: 1536 });
  });

  it('holds each session to its quota of stills (count and bytes), and refuses below the disk floor', async () => {
    const image = await jpeg();
    const store = new SnapshotStore(await tmp(), { quota: { count: 3, bytes: 1_000_000 } });
    const burst = await Promise.allSettled(Array.from({ length: 6 }, () => store.save('s_abcdefgh', 'caller', image)));
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refusals = burst.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(refusals.every((e) => e instanceof InsufficientStorageError && e.reason === 'count_quota' && e.status === 507)).toBe(true);
    await expect(store.save('s_otherses', 'caller', image), 'another session has its own quota').resolves.toBeDefined();

    const small = new SnapshotStore(dir!, { quota: { count: 100, bytes: image.length * 2 } });
    await small.save('s_bytes123', 'caller', image);
    await expect(small.save('s_bytes123', 'caller', await picture(640, 480).jpeg().toBuffer())).rejects.toMatchObject({ reason: 'bytes_quota' });

    const free = await new DiskSpace(dir!, 0).freeBytes();
    const floored = new SnapshotStore(dir!, { disk: new DiskSpace(dir!, free + 1) });
    await expect(floored.save('s_floor123', 'dispatcher', image)).rejects.toMatchObject({ reason: 'disk_floor', status: 507, code: 'insufficient_storage' });
    expect(await floored.list('s_floor123')).toEqual([]);
  });
});
