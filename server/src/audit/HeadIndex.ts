import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChainHead } from './chain.js';

/**
 * Chain heads of ended sessions, kept apart from the logs (`$DATA_DIR/index/heads.jsonl`, the
 * latest line for a session wins). A log whose tail was cut off still verifies link by link; its
 * recorded head is what gives the cut away.
 */
export class HeadIndex {
  #heads: Promise<Map<string, ChainHead>> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #size = -1;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'index', 'heads.jsonl');
  }

  async get(logId: string): Promise<ChainHead | undefined> {
    // Another process (the command line) may have appended: re-read when the file has grown.
    const size = await stat(this.file).then((s) => s.size, () => 0);
    if (size !== this.#size) this.#heads = undefined;
    return (await this.#load()).get(logId);
  }

  set(logId: string, head: ChainHead): Promise<void> {
    const run = this.#queue.then(async () => {
      const heads = await this.#load();
      await mkdir(path.dirname(this.file), { recursive: true });
      const fh = await open(this.file, 'a');
      try {
        await fh.write(`${JSON.stringify({ log: logId, seq: head.seq, hash: head.hash, at: new Date().toISOString() })}\n`);
        await fh.datasync();
        this.#size = (await fh.stat()).size;
      } finally {
        await fh.close();
      }
      heads.set(logId, head);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Re-reads the file (another process, such as the CLI, may have written it). */
  reload(): void {
    this.#heads = undefined;
  }

  #load(): Promise<Map<string, ChainHead>> {
    this.#heads ??= readFile(this.file, 'utf8').then(
      (text) => {
        this.#size = Buffer.byteLength(text);
        const map = new Map<string, ChainHead>();
        for (const line of text.split('\n')) {
          if (!line) continue;
          try {
            const { log, seq, hash } = JSON.parse(line) as { log: string; seq: number; hash: string };
            map.set(log, { seq, hash });
          } catch {
            // A torn last line after a crash: the previous head for that log stands.
          }
        }
        return map;
      },
      () => new Map<string, ChainHead>(),
    );
    return this.#heads;
  }
}
