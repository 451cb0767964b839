import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { chain, genesisHash, verifyLines, type ChainAnchors, type ChainHead, type ChainedRecord, type UnchainedRecord, type VerifyResult } from './chain.js';

export type NewRecord = Omit<UnchainedRecord, 'seq'>;

/**
 * An append-only, hash-chained JSON-lines file. The file owns its numbering: each append takes the
 * seq after the last record on disk, under a lock file, so the server and the command line can both
 * append (retention, exports) without breaking the chain. Each append is written and fdatasync'd
 * before it resolves: a record acknowledged to anyone is on disk.
 */
export class ChainedLogFile {
  #queue: Promise<unknown> = Promise.resolve();
  /** Head as of our last read or write, valid while the file still has `size` bytes. */
  #cached: { head: ChainHead; size: number } | undefined;

  constructor(
    readonly file: string,
    readonly logId: string,
  ) {}

  /**
   * Appends one record. `then` runs under the same lock (the head index written with it), so a check
   * made meanwhile, here or in another process, never sees the record without its head.
   */
  append(record: NewRecord, then?: (rec: ChainedRecord) => Promise<void>): Promise<ChainedRecord> {
    const run = this.#queue.then(() =>
      this.#withLock(async () => {
        const rec = await this.#append(record);
        await then?.(rec);
        return rec;
      }),
    );
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #append(record: NewRecord): Promise<ChainedRecord> {
    const head = await this.head();
    const chained = chain({ ...record, seq: head.seq + 1 }, head.hash);
    const line = `${JSON.stringify(chained)}\n`;
    const fh = await open(this.file, 'a');
    try {
      await fh.write(line);
      await fh.datasync();
      this.#cached = { head: { seq: chained.seq, hash: chained.hash }, size: (await fh.stat()).size };
    } finally {
      await fh.close();
    }
    return chained;
  }

  /** The last record's seq and hash (a fresh log: seq 0 and the genesis hash). */
  async head(): Promise<ChainHead> {
    const size = await stat(this.file).then((s) => s.size, () => 0);
    if (this.#cached?.size === size) return this.#cached.head;
    const last = (await this.lines()).at(-1);
    const head = last ? pick(JSON.parse(last) as ChainedRecord) : { seq: 0, hash: genesisHash(this.logId) };
    this.#cached = { head, size };
    return head;
  }

  async lines(): Promise<string[]> {
    try {
      return (await readFile(this.file, 'utf8')).split('\n').filter((l) => l.length > 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async records(): Promise<ChainedRecord[]> {
    return (await this.lines()).map((l) => JSON.parse(l) as ChainedRecord);
  }

  /**
   * Checks every link against `anchors` (what the head index holds for this log; none for the access
   * log). Read under the lock, so no append is seen half done; a lock left behind by a crash is
   * waited on only briefly, then the log is read as it stands.
   */
  async verify(anchors: () => Promise<ChainAnchors> = async () => ({})): Promise<VerifyResult> {
    const check = async () => verifyLines(this.logId, await this.lines(), await anchors());
    if (!(await stat(this.file).catch(() => undefined))) return check();
    return this.#withLock(check, 2_000).catch((err: unknown) => {
      if (err instanceof LogLockedError) return check();
      throw err;
    });
  }

  /** A lock file beside the log keeps two processes from appending at once; a stale one (10 s) is broken. */
  async #withLock<T>(fn: () => Promise<T>, patienceMs = 5_000): Promise<T> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const lock = `${this.file}.lock`;
    const giveUpAt = Date.now() + patienceMs;
    for (;;) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
        if (age > 10_000) await unlink(lock).catch(() => undefined);
        if (Date.now() > giveUpAt) throw new LogLockedError(this.logId);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }
}

/** Another writer held the log's lock for longer than we would wait. */
export class LogLockedError extends Error {
  constructor(readonly logId: string) {
    super(`log ${logId} is locked`);
    this.name = 'LogLockedError';
  }
}

function pick(r: ChainedRecord): ChainHead {
  return { seq: r.seq, hash: r.hash };
}
