import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SnapshotInfo } from '@sightline/shared';
import { NotFoundError, ValidationError } from '../errors.js';
import { IMAGE_CONTENT_TYPES, sniffImage, type ImageType } from './imageType.js';

/**
 * Stills of a session on disk: `$DATA_DIR/sessions/<id>/snapshots/<time>-<source>-<rand>.<ext>`.
 * The name carries time and source, so listing needs no index. A shared volume serves several nodes.
 */
const NAME = /^(\d{8}T\d{9}Z)-(dispatcher|caller)-([a-f0-9]{6})\.(jpeg|png|webp|heic)$/;

export class SnapshotStore {
  constructor(private readonly dataDir: string) {}

  #dir(sessionId: string): string {
    return path.join(this.dataDir, 'sessions', sessionId, 'snapshots');
  }

  async save(sessionId: string, source: SnapshotInfo['source'], image: Buffer, now = new Date()): Promise<SnapshotInfo> {
    const type = sniffImage(image);
    if (!type) throw new ValidationError('not a JPEG, PNG or WebP image');
    // No desktop browser shows HEIC, so such a file would sit unseen in the console and /audit. The
    // caller page sends JPEG (the phone decodes its own HEIC); whatever else sends one is told why.
    if (type === 'heic') throw new ValidationError('HEIC/HEIF images cannot be shown in a browser: send JPEG, PNG or WebP');
    const stamp = now.toISOString().replace(/[-:.]/g, '');
    const name = `${stamp}-${source}-${randomBytes(3).toString('hex')}.${type}`;
    await mkdir(this.#dir(sessionId), { recursive: true });
    await writeFile(path.join(this.#dir(sessionId), name), image, { flag: 'wx' });
    return { name, at: now.toISOString(), source, bytes: image.length };
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
