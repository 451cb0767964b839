import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The CPR coach's synthetic video set (issue #15 "Tests"), made with ffmpeg: a bright block on a
 * dark scene moving up and down at a known rate, with temporal noise and a slow lighting drift; the
 * same with a 3 s pause; pure noise; a still scene (the block at rest, same noise and drift). Each
 * clip loops seamlessly (a whole number of cycles, the drift's period = the clip's length), since
 * Chromium's fake camera plays it in a loop. Files are cached by the hash of their ffmpeg arguments.
 */
const run = promisify(execFile);

export interface CprClip {
  name: string;
  /** Compressions per minute, or null (nothing periodic to find). */
  rate: number | null;
  /** The pause in the clip: start and length, seconds from the clip's start. */
  pause?: { at: number; seconds: number };
  seconds: number;
}

export const CLIP_SIZE = { width: 320, height: 240, fps: 30 } as const;

/** The set: three rates, one with a 3 s pause, pure noise, a still scene. */
export const CPR_CLIPS: readonly CprClip[] = [
  { name: 'block-100', rate: 100, seconds: 12 },
  { name: 'block-110', rate: 110, seconds: 12 },
  { name: 'block-120', rate: 120, seconds: 12 },
  // 6 s of compressions (11 cycles: the pause starts at rest), 3 s still, 6 s more: 15 s, seamless.
  { name: 'block-110-pause', rate: 110, pause: { at: 6, seconds: 3 }, seconds: 15 },
  { name: 'noise', rate: null, seconds: 6 },
  { name: 'still', rate: null, seconds: 6 },
];

function filterOf(clip: CprClip): string {
  const { width, height, fps } = CLIP_SIZE;
  const L = clip.seconds;
  const drift = `eq=brightness='0.05*sin(2*PI*t/${L})':eval=frame`;
  if (clip.name === 'noise') return `color=c=0x808080:s=${width}x${height}:r=${fps}:d=${L},noise=alls=60:allf=t+u,format=yuv420p`;
  let y = '96';
  if (clip.rate !== null) {
    const f = clip.rate / 60;
    const p = clip.pause;
    y = p ? `96+40*sin(2*PI*(t-${p.seconds}*gte(t,${p.at + p.seconds}))*${f})*(1-between(t,${p.at},${p.at + p.seconds}))` : `96+40*sin(2*PI*t*${f})`;
  }
  return [
    `color=c=0x303030:s=${width}x${height}:r=${fps}:d=${L}[bg]`,
    `color=c=0xc8c8c8:s=64x48:r=${fps}:d=${L}[block]`,
    `[bg][block]overlay=x=128:y='${y}':eval=frame,noise=alls=20:allf=t+u,${drift},format=yuv420p`,
  ].join(';');
}

/** The clip as a Y4M file (made once, cached in the temp dir by its content's recipe). */
export async function cprClipFile(clip: CprClip): Promise<string> {
  const filter = filterOf(clip);
  const dir = path.join(os.tmpdir(), 'sightline-cpr-clips');
  await mkdir(dir, { recursive: true });
  const hash = createHash('sha256').update(filter).digest('hex').slice(0, 16);
  const file = path.join(dir, `${clip.name}-${hash}.y4m`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  await run('ffmpeg', ['-v', 'error', '-y', '-filter_complex', filter, '-frames:v', String(clip.seconds * CLIP_SIZE.fps), '-f', 'yuv4mpegpipe', tmp]);
  await rename(tmp, file);
  return file;
}

/** The clip's frames as small grayscale images (area-averaged, as a canvas draws them), in order. */
export async function cprClipFrames(clip: CprClip, width = 32, height = 24): Promise<Uint8Array[]> {
  const file = await cprClipFile(clip);
  const raw = `${file}.${width}x${height}.gray`;
  if (!existsSync(raw)) {
    await run('ffmpeg', ['-v', 'error', '-y', '-i', file, '-vf', `scale=${width}:${height}:flags=area`, '-pix_fmt', 'gray', '-f', 'rawvideo', `${raw}.tmp`]);
    await rename(`${raw}.tmp`, raw);
  }
  const data = await readFile(raw);
  const size = width * height;
  const frames: Uint8Array[] = [];
  for (let i = 0; i + size <= data.length; i += size) frames.push(new Uint8Array(data.subarray(i, i + size)));
  return frames;
}
