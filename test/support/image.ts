import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Pictures the tests can recognise: a test card for Chromium's file-backed fake camera, and the
 * decoding of a still back to pixels with the real ffmpeg, so a test can tell the caller's picture
 * from a black, blank or foreign one.
 */
const run = promisify(execFile);

export type Rgb = readonly [number, number, number];

/** The card's four quadrants, left to right, top to bottom: saturated colours that survive VP8/H264 and JPEG. */
export const TEST_CARD: { topLeft: Rgb; topRight: Rgb; bottomLeft: Rgb; bottomRight: Rgb } = {
  topLeft: [255, 0, 0],
  topRight: [0, 255, 0],
  bottomLeft: [0, 0, 255],
  bottomRight: [255, 255, 255],
};

const hex = (c: Rgb) => `0x${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** Writes the test card as a Y4M clip for `--use-file-for-fake-video-capture` (Chromium loops it). */
export async function writeTestCard(file: string, opts: { width?: number; height?: number; fps?: number; frames?: number } = {}): Promise<void> {
  const { width = 640, height = 480, fps = 30, frames = 10 } = opts;
  const quadrant = (c: Rgb) => ['-f', 'lavfi', '-i', `color=c=${hex(c)}:s=${width / 2}x${height / 2}:r=${fps}`];
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    ...quadrant(TEST_CARD.topLeft),
    ...quadrant(TEST_CARD.topRight),
    ...quadrant(TEST_CARD.bottomLeft),
    ...quadrant(TEST_CARD.bottomRight),
    '-filter_complex',
    '[0][1]hstack[top];[2][3]hstack[bottom];[top][bottom]vstack,format=yuv420p',
    '-frames:v',
    String(frames),
    '-f',
    'yuv4mpegpipe',
    file,
  ]);
}

export interface DecodedImage {
  width: number;
  height: number;
  /** rgb24, row after row. */
  rgb: Buffer;
}

/** Decodes any image ffmpeg reads (JPEG, PNG, WebP) to raw RGB; a file that does not decode cleanly throws. */
export async function decodeImage(data: Buffer): Promise<DecodedImage> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-still-'));
  try {
    const file = path.join(dir, 'still');
    await writeFile(file, data);
    const probe = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'json', file]);
    const { width, height } = (JSON.parse(probe.stdout) as { streams: { width: number; height: number }[] }).streams[0]!;
    const raw = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
      encoding: 'buffer',
      maxBuffer: 64 * 2 ** 20,
    });
    const stderr = raw.stderr.toString().trim();
    if (stderr) throw new Error(`the still does not decode cleanly: ${stderr}`);
    if (raw.stdout.length !== width * height * 3) throw new Error(`decoded ${raw.stdout.length} bytes, expected ${width}x${height}x3`);
    return { width, height, rgb: raw.stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Mean colour of the rectangle [x0, x1) × [y0, y1), given as fractions of the width and height. */
export function meanColour(img: DecodedImage, x0: number, y0: number, x1: number, y1: number): Rgb {
  let [r, g, b, n] = [0, 0, 0, 0];
  for (let y = Math.floor(y0 * img.height); y < Math.floor(y1 * img.height); y++) {
    for (let x = Math.floor(x0 * img.width); x < Math.floor(x1 * img.width); x++) {
      const i = (y * img.width + x) * 3;
      r += img.rgb[i]!;
      g += img.rgb[i + 1]!;
      b += img.rgb[i + 2]!;
      n++;
    }
  }
  return [r / n, g / n, b / n];
}

/** Standard deviation of the luma (BT.601) over the whole picture: near 0 for a black or uniform frame. */
export function lumaStdDev(img: DecodedImage): number {
  let sum = 0;
  let sumSq = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n * 3; i += 3) {
    const y = 0.299 * img.rgb[i]! + 0.587 * img.rgb[i + 1]! + 0.114 * img.rgb[i + 2]!;
    sum += y;
    sumSq += y * y;
  }
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
}

/** Largest per-channel difference between two colours. */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

/** A real 8×8 JPEG (red), small enough to inline: the server decodes every still, so magic bytes alone no longer pass. */
export const TINY_JPEG = Buffer.from(
  '/9j/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAb/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABQf/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCJACKk/9k=',
  'base64',
);

/**
 * TINY_JPEG padded to `bytes` with JPEG comment segments: a valid JPEG of any upload size, whose
 * padding the server's re-encoding drops (what lands on disk is the 8×8 picture).
 */
export function paddedJpeg(bytes: number): Buffer {
  const parts: Buffer[] = [TINY_JPEG.subarray(0, 2)];
  let left = bytes - TINY_JPEG.length;
  while (left > 4) {
    const len = Math.min(65535, left - 2);
    const seg = Buffer.alloc(len + 2, 0x20);
    seg.writeUInt16BE(0xfffe, 0);
    seg.writeUInt16BE(len, 2);
    parts.push(seg);
    left -= len + 2;
  }
  parts.push(TINY_JPEG.subarray(2));
  return Buffer.concat(parts);
}
