import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertPlayable, decodeMedia, NotPlayableError } from './media.js';

/**
 * The playability check itself, on files ffmpeg makes here: 4 s of a 15 fps test picture, clean and
 * damaged. The damaged one is the case that passed before: ffmpeg decodes it with exit code 0.
 */
const run = promisify(execFile);
let dir: string;
let vp8: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-media-'));
  vp8 = path.join(dir, 'clean-vp8.mkv');
  await encode(vp8, ['-c:v', 'libvpx', '-b:v', '300k', '-g', '15']);
});

afterAll(() => rm(dir, { recursive: true, force: true }));

/** What a 4 s recording of a 15 fps sender looks like to the test: its clock and the sender's count. */
const fourSeconds = { codecs: ['vp8'], recorded: { atLeastSec: 4, atMostSec: 4.2 }, sent: { atLeast: 60, atMost: 62 }, fps: 15 };

describe('assertPlayable', () => {
  it('passes a clean VP8 file and counts its 60 frames over 4 s', async () => {
    const decoded = await assertPlayable(vp8, fourSeconds);
    expect(decoded).toMatchObject({ codecs: ['vp8'], videoFrames: 60, errors: '' });
    expect(decoded.videoSpanSec).toBeCloseTo(4, 2);
    expect(decoded.containerSec).toBeCloseTo(4, 2);
  });

  it('fails a VP8 file with every 97th byte overwritten, though plain ffmpeg exits 0 on it', async () => {
    const damaged = path.join(dir, 'damaged-vp8.mkv');
    const bytes = await readFile(vp8);
    for (let i = 96; i < bytes.length; i += 97) bytes[i] = bytes[i]! ^ 0xff;
    await writeFile(damaged, bytes);
    // The old check: exit code only. It lets this file through.
    await expect(run('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', damaged, '-f', 'null', '-'])).resolves.toBeDefined();

    const err = await assertPlayable(damaged, fourSeconds).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotPlayableError);
    expect((err as NotPlayableError).problems.join('\n')).toMatch(/decoder errors: .*(Invalid|invalid|exceeds)/);
  });

  it('fails a file whose codec, length or frame count is not what was recorded', async () => {
    const want = fourSeconds;
    const problems = async (w: typeof want) => (await assertPlayable(vp8, w).catch((e: NotPlayableError) => e)) as NotPlayableError;
    expect((await problems({ ...want, codecs: ['h264'] })).problems).toEqual(['codecs vp8 instead of h264']);
    // The test's clock says 8 s were recorded: half is missing.
    expect((await problems({ ...want, recorded: { atLeastSec: 8, atMostSec: 8.5 } })).problems[0]).toMatch(/lasts 4.00 s, the test recorded at least 8.00 s/);
    // The recording ran 2 s: a 4 s file cannot come from it.
    expect((await problems({ ...want, recorded: { atLeastSec: 1.8, atMostSec: 2 } })).problems[0]).toMatch(/longer than the 2.00 s/);
    // The sender sent 120 frames meanwhile (30 fps): 60 is half of them.
    expect((await problems({ ...want, sent: { atLeast: 120, atMost: 122 }, fps: 30 })).problems).toEqual([
      '60 frames decoded, the sender sent 120–122 while it recorded (allowed 73–124)',
    ]);
    // And a file cannot hold more frames than were sent.
    expect((await problems({ ...want, sent: { atLeast: 40, atMost: 45 } })).problems[0]).toMatch(/60 frames decoded, the sender sent 40–45/);
  });

  it('checks H264 the same way, and a file missing half its frames fails on the count', async () => {
    const h264 = path.join(dir, 'clean-h264.mkv');
    await encode(h264, ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-profile:v', 'baseline', '-g', '15']);
    expect(await assertPlayable(h264, { ...fourSeconds, codecs: ['h264'] })).toMatchObject({ videoFrames: 60, errors: '' });

    // Every other frame dropped, timestamps kept: the length is right, the frame count is not.
    const sparse = path.join(dir, 'sparse-vp8.mkv');
    await run('ffmpeg', [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-i',
      vp8,
      '-vf',
      "select='not(mod(n\\,2))'",
      '-fps_mode',
      'vfr',
      '-c:v',
      'libvpx',
      '-b:v',
      '300k',
      sparse,
    ]);
    const decoded = await decodeMedia(sparse);
    expect(decoded.videoFrames).toBe(30);
    await expect(assertPlayable(sparse, fourSeconds)).rejects.toThrow(/30 frames decoded, the sender sent 60–62/);
  });
});

function encode(file: string, codec: string[]): Promise<unknown> {
  return run('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=15',
    '-t',
    '4',
    ...codec,
    '-f',
    'matroska',
    file,
  ]);
}
