import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isSessionId } from '@sightline/shared';
import { ValidationError } from '../errors.js';

/** A media file of a session: its path relative to the session's folder (`recordings/…`, `snapshots/…`) and size. */
export interface MediaFile {
  rel: string;
  bytes: number;
}

/** The folders of a session that hold media (what retention deletes and an export digests). */
const MEDIA_FOLDERS = ['recordings', 'snapshots'] as const;

/**
 * One session's folder on disk, the only place its layout is written down:
 *
 *     <dataDir>/sessions/<id>/log.jsonl      the session's hash-chained log (audit/)
 *     <dataDir>/sessions/<id>/recordings/    segments and index.json (recording/)
 *     <dataDir>/sessions/<id>/snapshots/     stills (snapshots/)
 *
 * The id is checked once, here, against the shared session-id rule (sessionIdSchema), so no path
 * built from it can leave `<dataDir>/sessions/`. A shared volume may serve several nodes.
 */
export class SessionFolder {
  /** Absolute path of the session's folder. */
  readonly path: string;

  /** @throws ValidationError ('invalid session id') when `sessionId` is not a session id. */
  constructor(
    dataDir: string,
    readonly sessionId: string,
  ) {
    if (!isSessionId(sessionId)) throw new ValidationError('invalid session id');
    this.path = path.join(SessionFolder.parent(dataDir), sessionId);
  }

  /** `<dataDir>/sessions`: where every session's folder lives. */
  static parent(dataDir: string): string {
    return path.join(dataDir, 'sessions');
  }

  /** Ids of the sessions with a folder under `dataDir`, sorted; names that are not session ids are skipped. */
  static async ids(dataDir: string): Promise<string[]> {
    const names = await readdir(SessionFolder.parent(dataDir)).catch(() => [] as string[]);
    return names.filter(isSessionId).sort();
  }

  /** The session's log file (`log.jsonl`). */
  get log(): string {
    return path.join(this.path, 'log.jsonl');
  }

  /** The folder of its recording segments and their `index.json`. */
  get recordings(): string {
    return path.join(this.path, 'recordings');
  }

  /** The folder of its stills. */
  get snapshots(): string {
    return path.join(this.path, 'snapshots');
  }

  /**
   * Its media files (recordings and stills, without `index.json` and hidden temporaries), sorted by
   * relative path; an absent folder has none.
   */
  async mediaFiles(): Promise<MediaFile[]> {
    const out: MediaFile[] = [];
    for (const sub of MEDIA_FOLDERS) {
      const names = await readdir(path.join(this.path, sub)).catch(() => [] as string[]);
      for (const name of names) {
        if (name === 'index.json' || name.startsWith('.')) continue;
        const s = await stat(path.join(this.path, sub, name)).catch(() => undefined);
        if (s?.isFile()) out.push({ rel: `${sub}/${name}`, bytes: s.size });
      }
    }
    return out.sort((a, b) => a.rel.localeCompare(b.rel));
  }
}
