import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CLIP_NAME, type ClipInfo } from '@sightline/shared';
import { probeMedia } from '../recording/ffprobe.js';
import { DEFAULT_CHILD_PATH } from '../security/childEnv.js';

/** Why a clip could not be added: each with words an operator can act on. */
export class ClipError extends Error {
  constructor(
    readonly reason: 'bad_name' | 'exists' | 'unreadable' | 'no_video' | 'too_long' | 'transcode_failed',
    message: string,
  ) {
    super(message);
    this.name = 'ClipError';
  }
}

/** The longest clip kept: a demonstration for a caller under stress is short (seconds). */
export const MAX_CLIP_SECONDS = 120;

export interface ClipTools {
  ffmpegBin?: string;
  ffprobeBin?: string;
  /** The child processes' whole environment (no secrets: security/childEnv.ts). */
  env?: Record<string, string>;
}

/**
 * The centre's demonstration clips for "show me" (issue #15 §1): DATA_DIR/clips/<name>.webm, each
 * with <name>.json (its length and when it was added). A clip is added only as a file the console
 * can play: whatever the admin gives is probed, then transcoded to VP8 WebM (no sound, at most
 * 640x360, 15 fps: what the caller is sent anyway) into a temporary file, probed again, and only
 * then linked into place (never over another clip). A bad file, a bad name or an existing name leave the folder as it was.
 * In Redis mode each node reads its own disk: add the clip on every node.
 */
export class ClipStore {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly tools: ClipTools = {},
  ) {
    this.dir = path.join(dataDir, 'clips');
  }

  /** Clips by name; a clip without its sidecar (copied in by hand) is listed with length 0. */
  async list(): Promise<ClipInfo[]> {
    const names = (await readdir(this.dir).catch(() => [] as string[]))
      .filter((f) => f.endsWith('.webm'))
      .map((f) => f.slice(0, -'.webm'.length))
      .filter((n) => CLIP_NAME.test(n))
      .sort();
    const clips = await Promise.all(
      names.map(async (name): Promise<ClipInfo | undefined> => {
        // Only what `filePath` would serve: a dangling link, a folder, or a file removed meanwhile is left out.
        const found = await stat(this.#file(name)).catch(() => undefined);
        if (!found?.isFile()) return undefined;
        const meta = await readFile(path.join(this.dir, `${name}.json`), 'utf8')
          .then((t) => JSON.parse(t) as { durationSec?: number })
          .catch(() => ({}) as { durationSec?: number });
        return { name, bytes: found.size, durationSec: meta.durationSec ?? 0 };
      }),
    );
    return clips.filter((c) => c !== undefined);
  }

  /** The clip's file; undefined when there is no such clip (or the name is not a clip name). */
  async filePath(name: string): Promise<string | undefined> {
    if (!CLIP_NAME.test(name)) return undefined;
    const file = this.#file(name);
    return (await stat(file).catch(() => undefined))?.isFile() ? file : undefined;
  }

  /**
   * Adds `source` as clip `name`.
   * @throws ClipError: a bad or taken name, a file ffprobe cannot read, one without video, one longer
   * than MAX_CLIP_SECONDS, or a transcode that failed. Nothing is left behind on failure.
   */
  async add(source: string, name: string): Promise<ClipInfo> {
    if (!CLIP_NAME.test(name)) throw new ClipError('bad_name', `"${name}" is not a clip name: use 1-40 lower-case letters, digits or dashes`);
    if (await this.filePath(name)) throw new ClipError('exists', `a clip named "${name}" exists already; remove it first to replace it`);
    const probe = await probeMedia(source, this.tools.ffprobeBin, this.#env()).catch((err: Error) => {
      throw new ClipError('unreadable', `cannot read ${source} as a video: ${err.message}`);
    });
    if (!probe.kinds?.includes('video') || !probe.durationSec) throw new ClipError('no_video', `${source} has no video stream of any length`);
    if ((probe.durationSec ?? 0) > MAX_CLIP_SECONDS)
      throw new ClipError('too_long', `${source} is ${probe.durationSec} s long; a clip is at most ${MAX_CLIP_SECONDS} s`);
    await mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `.${name}.${randomUUID()}.tmp.webm`);
    try {
      await this.#transcode(source, tmp);
      const out = await probeMedia(tmp, this.tools.ffprobeBin, this.#env());
      if (!out.codecs.includes('vp8') || !out.durationSec) throw new ClipError('transcode_failed', `the transcoded ${name} is not a playable VP8 video`);
      // The source's container may understate its length; what the caller would be shown is what counts.
      if (out.durationSec > MAX_CLIP_SECONDS + 1)
        throw new ClipError('too_long', `${name} plays ${out.durationSec} s; a clip is at most ${MAX_CLIP_SECONDS} s`);
      // A link, not a rename: it fails when the name was taken meanwhile (two adds at once), where a
      // rename would silently replace the other's clip. The sidecar follows, so it is the winner's.
      await link(tmp, this.#file(name)).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EEXIST' ? new ClipError('exists', `a clip named "${name}" was added meanwhile; remove it first to replace it`) : err;
      });
      await writeFile(path.join(this.dir, `${name}.json`), `${JSON.stringify({ durationSec: out.durationSec, addedAt: new Date().toISOString() })}\n`);
      return { name, bytes: out.bytes, durationSec: out.durationSec };
    } catch (err) {
      if (err instanceof ClipError) throw err;
      throw new ClipError('transcode_failed', `cannot transcode ${source}: ${(err as Error).message}`);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Removes a clip; false when there was none. */
  async remove(name: string): Promise<boolean> {
    const file = await this.filePath(name);
    if (!file) return false;
    await rm(file, { force: true });
    await rm(path.join(this.dir, `${name}.json`), { force: true });
    return true;
  }

  #file(name: string): string {
    return path.join(this.dir, `${name}.webm`);
  }

  #env(): Record<string, string> {
    return this.tools.env ?? { PATH: DEFAULT_CHILD_PATH };
  }

  /** VP8 WebM, no audio, at most 640x360 (aspect kept), 15 fps, about 250 kbit/s. */
  #transcode(source: string, target: string): Promise<void> {
    const args = ['-hide_banner', '-loglevel', 'error', '-y', '-i', source, '-an', '-sn', '-dn'];
    args.push('-vf', "scale='min(640,iw)':'min(360,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2,fps=15");
    args.push('-c:v', 'libvpx', '-b:v', '250k', '-deadline', 'good', '-cpu-used', '4', '-auto-alt-ref', '0', '-f', 'webm', target);
    return new Promise((resolve, reject) =>
      execFile(this.tools.ffmpegBin ?? 'ffmpeg', args, { timeout: 5 * 60_000, env: this.#env() }, (err, _out, stderr) =>
        err ? reject(new Error(String(stderr).trim() || err.message)) : resolve(),
      ),
    );
  }
}
