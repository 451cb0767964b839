import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { SessionFolder } from '../storage/SessionFolder.js';
import type { RecordingInfo } from './types.js';

/**
 * A session's recordings directory and its `index.json` (the list of segments). Writes go to a
 * temporary file that is renamed over the index, so a reader never sees half a file; updates of one
 * session run one at a time.
 */
export class RecordingIndex {
  #queues = new Map<string, Promise<unknown>>();

  constructor(private readonly dataDir: string) {}

  /** `<dataDir>/sessions/<id>/recordings`. @throws ValidationError when `sessionId` is not a session id. */
  dir(sessionId: string): string {
    return new SessionFolder(this.dataDir, sessionId).recordings;
  }

  async read(sessionId: string): Promise<RecordingInfo[]> {
    let text: string;
    try {
      text = await readFile(path.join(this.dir(sessionId), 'index.json'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const parsed = JSON.parse(text) as { recordings?: RecordingInfo[] };
    return parsed.recordings ?? [];
  }

  /** Applies `change` to the current list and writes the result; resolves with it. */
  update(sessionId: string, change: (list: RecordingInfo[]) => RecordingInfo[]): Promise<RecordingInfo[]> {
    const dir = this.dir(sessionId);
    const previous = this.#queues.get(sessionId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const list = change(await this.read(sessionId));
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, 'index.json');
        const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
        try {
          const fh = await open(tmp, 'wx');
          try {
            await fh.writeFile(JSON.stringify({ recordings: list }, null, 2) + '\n');
            await fh.sync();
          } finally {
            await fh.close();
          }
          await rename(tmp, file);
        } catch (err) {
          await rm(tmp, { force: true });
          throw err;
        }
        return list;
      });
    this.#queues.set(sessionId, next);
    void next
      .finally(() => {
        if (this.#queues.get(sessionId) === next) this.#queues.delete(sessionId);
      })
      .catch(() => undefined);
    return next;
  }

  /** Adds or replaces the entry with the same name. */
  put(sessionId: string, info: RecordingInfo): Promise<RecordingInfo[]> {
    return this.update(sessionId, (list) => [...list.filter((r) => r.name !== info.name), info].sort((a, b) => a.segment - b.segment));
  }
}
