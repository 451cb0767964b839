import { execFile } from 'node:child_process';

/**
 * The tests' one answer to "is this recording playable?": ffmpeg decodes every frame, and the file
 * passes only if the decoder said nothing at level error, the codecs are the expected ones, and the
 * decoded video covers the wall-clock time the test itself measured, with about the sender's frame
 * rate. ffmpeg's exit code alone proves nothing: it exits 0 after "Error while decoding stream".
 */

/** What decoding a whole file found. */
export interface DecodedMedia {
  /** Codec names of the streams as ffprobe spells them (`vp8`, `h264`, `opus`), in stream order. */
  codecs: string[];
  /** The container's own duration (what the recording index stores), if it has one. */
  containerSec?: number;
  /** Video frames the decoder produced (first video stream). */
  videoFrames: number;
  /** From the first decoded video frame to the end of the last one, by their timestamps. */
  videoSpanSec: number;
  /** The same for the longest stream (audio may start before the first video key frame). */
  longestSpanSec: number;
  /** What ffmpeg printed at level error while demuxing and decoding; empty for a clean file. */
  errors: string;
}

/**
 * The wall-clock window the test measured around a recording: `atLeastSec` from the moment the
 * recording was confirmed running to the moment stop was asked for, `atMostSec` from asking for the
 * start to the confirmed end. A correct file lies between them (within the slack below).
 */
export interface WallClock {
  atLeastSec: number;
  atMostSec: number;
}

/**
 * Video frames the sender itself counted over the same two windows: the file holds at least those
 * sent while the recording surely ran (less the key-frame wait) and at most those sent while it
 * possibly ran.
 */
export interface SentFrames {
  atLeast: number;
  atMost: number;
}

export interface PlayableExpectation {
  codecs: string[];
  recorded: WallClock;
  sent: SentFrames;
  /** The sender's frame rate: how many frames the key-frame wait at the start may cost. */
  fps: number;
}

/**
 * The stated tolerances. The file starts at the first key frame after the recorder listens (senders
 * in the tests send one at least every second), so up to START_SLACK_SEC may be missing at the start;
 * frame timestamps are stamped on arrival, so the end may run over by one frame and some jitter.
 */
export const START_SLACK_SEC = 1.5;
export const END_SLACK_SEC = 0.5;
/**
 * Frames are compared with the sender's own count, not with fps × duration: senders are not
 * metronomes (under load ffmpeg's -re falls behind and catches up in a burst, a browser adapts its
 * rate), so only the count is firm. Besides the key-frame wait (fps × START_SLACK_SEC), a frame in
 * flight at each end is allowed.
 */
export const FRAME_SLACK = 2;

export class NotPlayableError extends Error {
  override name = 'NotPlayableError';
  constructor(
    readonly file: string,
    readonly problems: string[],
    readonly decoded: DecodedMedia | undefined,
  ) {
    super(`${file} is not playable as expected:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Decodes every stream of `file` to the end and reports codecs, video frames, span and any error output. */
export async function decodeMedia(file: string, bins = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }): Promise<DecodedMedia> {
  const probe = JSON.parse((await run(bins.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file])).stdout) as {
    format?: { duration?: string };
    streams?: { codec_name?: string; codec_type?: string }[];
  };
  const streams = probe.streams ?? [];
  const containerSec = Number.parseFloat(probe.format?.duration ?? '');
  const video = streams.findIndex((s) => s.codec_type === 'video');
  // framecrc prints one line per decoded frame (every stream) with its timestamp; passthrough keeps
  // every video frame as decoded (no frame-rate conversion drops or duplicates any). No -xerror: it
  // would also abort on the sub-millisecond steps back that arrival-time stamps give Opus packets,
  // which ffmpeg smooths and players ignore; any decoder or demuxer error is still printed at this level.
  const { stdout, stderr, code } = await run(
    bins.ffmpeg,
    ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0', '-fps_mode', 'passthrough', '-f', 'framecrc', '-'],
    true,
  );
  const { frames, spanSec } = video < 0 ? { frames: 0, spanSec: 0 } : framesOf(stdout, video);
  const longestSpanSec = Math.max(0, ...streams.map((_, i) => framesOf(stdout, i).spanSec));
  return {
    codecs: [...new Set(streams.map((s) => s.codec_name).filter((c): c is string => !!c))],
    ...(Number.isFinite(containerSec) && { containerSec }),
    videoFrames: frames,
    videoSpanSec: spanSec,
    longestSpanSec,
    errors: [stderr.trim(), code ? `ffmpeg exited with code ${code}` : ''].filter(Boolean).join('\n'),
  };
}

/** Every way `decoded` falls short of `want`; empty when it is a good recording. */
export function playableProblems(decoded: DecodedMedia, want: PlayableExpectation): string[] {
  const problems: string[] = [];
  const { atLeastSec, atMostSec } = want.recorded;
  if (decoded.errors) problems.push(`decoder errors: ${decoded.errors.slice(0, 600)}`);
  if (decoded.codecs.join(',') !== want.codecs.join(',')) problems.push(`codecs ${decoded.codecs.join(',')} instead of ${want.codecs.join(',')}`);
  const span = decoded.videoSpanSec;
  if (span < atLeastSec - START_SLACK_SEC)
    problems.push(`decoded video lasts ${span.toFixed(2)} s, the test recorded at least ${atLeastSec.toFixed(2)} s (slack ${START_SLACK_SEC} s)`);
  if (span > atMostSec + END_SLACK_SEC)
    problems.push(`decoded video lasts ${span.toFixed(2)} s, longer than the ${atMostSec.toFixed(2)} s the recording ran (slack ${END_SLACK_SEC} s)`);
  if (decoded.containerSec === undefined) problems.push('the container has no duration');
  else if (Math.abs(decoded.containerSec - decoded.longestSpanSec) > END_SLACK_SEC) {
    problems.push(`container says ${decoded.containerSec} s, the decoded streams last ${decoded.longestSpanSec.toFixed(2)} s`);
  }
  const fewest = Math.floor(want.sent.atLeast - want.fps * START_SLACK_SEC - FRAME_SLACK);
  const most = Math.ceil(want.sent.atMost + FRAME_SLACK);
  if (decoded.videoFrames < fewest || decoded.videoFrames > most) {
    problems.push(
      `${decoded.videoFrames} frames decoded, the sender sent ${want.sent.atLeast}–${want.sent.atMost} while it recorded (allowed ${Math.max(0, fewest)}–${most})`,
    );
  }
  return problems;
}

/** Decodes `file` and throws NotPlayableError naming every problem; resolves with what was decoded. */
export async function assertPlayable(file: string, want: PlayableExpectation): Promise<DecodedMedia> {
  let decoded: DecodedMedia;
  try {
    decoded = await decodeMedia(file);
  } catch (err) {
    throw new NotPlayableError(file, [(err as Error).message], undefined);
  }
  const problems = playableProblems(decoded, want);
  if (problems.length) throw new NotPlayableError(file, problems, decoded);
  return decoded;
}

/** Seconds elapsed since a `performance.now()` reading: the tests' wall clock. */
export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}

/** Frame count and time span of one stream in framecrc output (`#tb N: num/den` then `N, dts, pts, duration, size, crc`). */
function framesOf(framecrc: string, stream: number): { frames: number; spanSec: number } {
  let tb = 0;
  let frames = 0;
  let first = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const line of framecrc.split('\n')) {
    const base = /^#tb (\d+): (\d+)\/(\d+)/.exec(line);
    if (base) {
      if (Number(base[1]) === stream) tb = Number(base[2]) / Number(base[3]);
      continue;
    }
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length < 6 || Number(cols[0]) !== stream) continue;
    const pts = Number(cols[2]);
    const duration = Number(cols[3]);
    frames++;
    first = Math.min(first, pts);
    end = Math.max(end, pts + duration);
  }
  return { frames, spanSec: frames === 0 ? 0 : (end - first) * tb };
}

/** Runs a tool; rejects when it cannot start or (unless `tolerateExit`) exits non-zero. */
function run(bin: string, args: string[], tolerateExit = false): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const out = { stdout: String(stdout), stderr: String(stderr), code: typeof err?.code === 'number' ? err.code : 0 };
      if (err && (!tolerateExit || typeof err.code !== 'number')) reject(new Error(`${bin} failed: ${out.stderr.trim() || err.message}`));
      else resolve(out);
    });
  });
}
