import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeMedia } from '../../../server/src/testing/media.js';
import { FPS } from './callers.js';

/** How complete one recorded file is, from its video packets' timestamps (ffmpeg stamps them on arrival). */
export interface FileCheck {
  frames: number;
  /** From the first frame to the end of the last, seconds. */
  spanSec: number;
  /** Frames a 30 fps sender sends over that span, less what the file holds (0 when none is missing). */
  missing: number;
  /** The longest time between two frames, ms (33 ms at 30 fps). */
  maxGapMs: number;
  /** Gaps of more than 3 frame intervals. */
  gaps: number;
  /** What ffmpeg's decoder said at level error when decoding the whole file ('' when clean; undefined when not decoded). */
  decodeErrors?: string;
}

export async function checkFile(file: string, decode: boolean): Promise<FileCheck> {
  const { stdout } = await promisify(execFile)(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const pts = stdout
    .split('\n')
    .map((l) => Number.parseFloat(l))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  let maxGap = 0;
  let gaps = 0;
  for (let i = 1; i < pts.length; i++) {
    const gap = pts[i]! - pts[i - 1]!;
    maxGap = Math.max(maxGap, gap);
    if (gap > 3 / FPS) gaps++;
  }
  const spanSec = pts.length ? pts[pts.length - 1]! - pts[0]! + 1 / FPS : 0;
  const check: FileCheck = {
    frames: pts.length,
    spanSec,
    missing: Math.max(0, Math.round(spanSec * FPS) - pts.length),
    maxGapMs: maxGap * 1000,
    gaps,
  };
  if (decode) check.decodeErrors = (await decodeMedia(file)).errors;
  return check;
}
