import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SnapshotInfo } from '@sightline/shared';
import { InsufficientStorageError, NotFoundError, ValidationError } from '../errors.js';
import type { DiskSpace } from '../storage/DiskSpace.js';
import { SessionFolder } from '../storage/SessionFolder.js';
import { IMAGE_CONTENT_TYPES, sniffImage, type ImageType } from './imageType.js';
import { sanitizeImage } from './sanitizeImage.js';

/**
 * What one session may hold in stills, both sources together (the rates per source are in LIMITS).
 * 100 stills of at most 2048 px: a still a minute through the longest call (SESSION_MAX_MINUTES
 * 120) is far above real use; 100 MB is 100 of the largest re-encoded stills (noise-like pictures
 * re-encode to about 1 MB at 2048 px; real photos to 0.2–0.6 MB).
 */
export const STILL_QUOTA = { count: 100, bytes: 100 * 1024 * 1024 } as const;

/**
 * Stills of a session on disk: `$DATA_DIR/sessions/<id>/snapshots/<time>-<source>-<rand>.<ext>`.
 * The name carries time and source, so listing needs no index. A shared volume serves several nodes.
 */
const NAME = /^(\d{8}T\d{9}Z)-(dispatcher|caller)-([a-f0-9]{6})\.(jpeg|png|webp|heic)$/;

export class SnapshotStore {
  #queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dataDir: string,
    private readonly opts: { disk?: DiskSpace; quota?: { count: number; bytes: number } } = {},
  ) {}

  #dir(sessionId: string): string {
    return new SessionFolder(this.dataDir, sessionId).snapshots;
  }

  /**
   * Decodes and re-encodes `image` (sanitizeImage), then stores it if the session's quota and the
   * disk's floor allow. Saves of one session run one at a time, so the quota holds under a burst.
   * @throws ValidationError (not an image, HEIC), ImageRefusedError (undecodable, too many pixels),
   *   InsufficientStorageError (count_quota, bytes_quota, disk_floor).
   */
  async save(sessionId: string, source: SnapshotInfo['source'], image: Buffer, now = new Date()): Promise<SnapshotInfo> {
    const type = sniffImage(image);
    if (!type) throw new ValidationError('not a JPEG, PNG or WebP image');
    // No desktop browser shows HEIC, so such a file would sit unseen in the console and /audit. The
    // caller page sends JPEG (the phone decodes its own HEIC); whatever else sends one is told why.
    if (type === 'heic') throw new ValidationError('HEIC/HEIF images cannot be shown in a browser: send JPEG, PNG or WebP');
    const clean = await sanitizeImage(image, type);
    return this.#serial(sessionId, async () => {
      await this.#checkQuota(sessionId, clean.length);
      await this.opts.disk?.ensureRoom(clean.length, 'another still');
      const stamp = now.toISOString().replace(/[-:.]/g, '');
      const name = `${stamp}-${source}-${randomBytes(3).toString('hex')}.${type}`;
      const file = path.join(this.#dir(sessionId), name);
      await mkdir(this.#dir(sessionId), { recursive: true });
      try {
        await writeFile(file, clean, { flag: 'wx' });
      } catch (err) {
        await rm(file, { force: true });
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG')
          throw new InsufficientStorageError('disk_floor', "the server's disk is full: no room for another still");
        throw err;
      }
      return { name, at: now.toISOString(), source, bytes: clean.length };
    });
  }

  async #checkQuota(sessionId: string, bytes: number): Promise<void> {
    const quota = this.opts.quota ?? STILL_QUOTA;
    const held = await this.list(sessionId);
    if (held.length >= quota.count) throw new InsufficientStorageError('count_quota', `this session already holds ${quota.count} stills, the most it may`);
    const used = held.reduce((sum, s) => sum + s.bytes, 0);
    if (used + bytes > quota.bytes)
      throw new InsufficientStorageError('bytes_quota', `this session's stills would pass ${Math.round(quota.bytes / 1024 / 1024)} MB, the most it may hold`);
  }

  #serial<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#queues.get(sessionId) ?? Promise.resolve()).catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.#queues.set(sessionId, tail);
    void tail.then(() => {
      if (this.#queues.get(sessionId) === tail) this.#queues.delete(sessionId);
    });
    return run;
  }

  async list(sessionId: string): Promise<SnapshotInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir(sessionId));
    } catch {
      return [];
    }
    const infos = await Promise.all(
      names
        .map((n) => ({ n, m: NAME.exec(n) }))
        .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
        .map(async ({ n, m }) => ({
          name: n,
          at: fromStamp(m[1]!),
          source: m[2] as SnapshotInfo['source'],
          bytes: (await stat(path.join(this.#dir(sessionId), n))).size,
        })),
    );
    return infos.sort((a, b) => a.name.localeCompare(b.name));
  }

  async read(sessionId: string, name: string): Promise<{ data: Buffer; contentType: string }> {
    const m = NAME.exec(name);
    if (!m) throw new NotFoundError('snapshot');
    try {
      const data = await readFile(path.join(this.#dir(sessionId), name));
      return { data, contentType: IMAGE_CONTENT_TYPES[m[4] as ImageType] };
    } catch {
      throw new NotFoundError('snapshot');
    }
  }
}

function fromStamp(s: string): string {
  // 20261123T072501123Z -> 2026-11-23T07:25:01.123Z
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`;
}
