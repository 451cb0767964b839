import { execFile } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { DEFAULT_CHILD_PATH } from '../security/childEnv.js';

/**
 * Rewrites a Matroska file by stream copy, in place. A recording whose ffmpeg was killed lacks its
 * trailer (duration, cues); reading what is there and writing it again gives a complete file.
 * `env` is ffmpeg's whole environment (no secrets: security/childEnv.ts).
 */
export async function remuxInPlace(
  file: string,
  ffmpegBin = 'ffmpeg',
  env: Record<string, string> = { PATH: DEFAULT_CHILD_PATH },
  timeoutMs = 60_000,
): Promise<void> {
  const tmp = `${file}.remux.mkv`;
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        ffmpegBin,
        ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', file, '-map', '0', '-c', 'copy', '-f', 'matroska', tmp],
        { timeout: timeoutMs, maxBuffer: 1024 * 1024, env },
        (err, _stdout, stderr) => (err ? reject(new Error(`remux failed: ${String(stderr).trim() || err.message}`)) : resolve()),
      );
    });
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}
