import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { DEFAULT_CHILD_PATH } from '../security/childEnv.js';

/** What ffprobe says about a finished recording. */
export interface MediaProbe {
  /** Undefined when the container does not know it (e.g. a file without its trailer). */
  durationSec?: number;
  bytes: number;
  /** Codec names of the file's streams (`vp8`, `h264`, `opus`), in stream order, without repeats. */
  codecs: string[];
  /** Stream types (`video`, `audio`), without repeats: a clip must have video (clips/ClipStore.ts). */
  kinds?: string[];
}

interface FfprobeJson {
  format?: { duration?: string; size?: string };
  streams?: { codec_name?: string; codec_type?: string }[];
}

/**
 * Runs ffprobe on a file, with `env` as its whole environment (no secrets: security/childEnv.ts).
 * Rejects when the file is missing or ffprobe cannot read it.
 */
export async function probeMedia(
  file: string,
  ffprobeBin = 'ffprobe',
  env: Record<string, string> = { PATH: DEFAULT_CHILD_PATH },
  timeoutMs = 15_000,
): Promise<MediaProbe> {
  const { size } = await stat(file);
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      ffprobeBin,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, env },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`ffprobe failed: ${String(stderr).trim() || err.message}`));
        else resolve(String(stdout));
      },
    );
  });
  const json = JSON.parse(out) as FfprobeJson;
  const duration = Number.parseFloat(json.format?.duration ?? '');
  const codecs = [...new Set((json.streams ?? []).map((s) => s.codec_name).filter((c): c is string => !!c))];
  return {
    ...(Number.isFinite(duration) && duration > 0 && { durationSec: Math.round(duration * 1000) / 1000 }),
    bytes: size,
    codecs,
    kinds: [...new Set((json.streams ?? []).map((s) => s.codec_type).filter((c): c is string => !!c))],
  };
}
