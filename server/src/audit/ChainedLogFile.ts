import { EventEmitter } from 'node:events';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { STALE_LOCK_MS, withFileLock } from './fileLock.js';
import { chain, genesisHash, verifyLines, type ChainAnchors, type ChainHead, type ChainedRecord, type UnchainedRecord, type VerifyResult } from './chain.js';

export type NewRecord = Omit<UnchainedRecord, 'seq'>;

/** What a torn-tail repair did: the fragment after the last newline was cut (and set aside in `asideFile`). */
export interface TailRepair {
  logId: string;
  file: string;
  /** Whole records kept. */
  keptRecords: number;
  /** Bytes of the fragment cut off. */
  cutBytes: number;
  /** Where the fragment was kept for inspection; absent when even that could not be written (full disk). */
  asideFile?: string;
}

interface ChainedLogFileEvents {
  repaired: [TailRepair];
  /** A record is on disk; `syncMs`: its fdatasync alone, ms (the rest of an append is the lock and the write). */
  appended: [{ logId: string; seq: number; syncMs: number }];
}

/**
 * An append-only, hash-chained JSON-lines file. The file owns its numbering: each append takes the
 * seq after the last record on disk, under a lock file, so the server and the command line can both
 * append (retention, exports) without breaking the chain. Each append is written and fdatasync'd
 * before it resolves: a record acknowledged to anyone is on disk. An append writes its whole line or
 * nothing: a short write or ENOSPC truncates the file back to the last whole record (issue #11,
 * item 3), and a torn last line (a crash mid-append) is cut before the next append ('repaired').
 */
export class ChainedLogFile extends EventEmitter<ChainedLogFileEvents> {
  #queue: Promise<unknown> = Promise.resolve();
  /** Head as of our last read or write, valid while the file still has `size` bytes. */
  #cached: { head: ChainHead; size: number } | undefined;

  constructor(
    readonly file: string,
    readonly logId: string,
  ) {
    super();
  }

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
    // A file of the size we left it ends with our own whole line; any other may end torn (a crash).
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (this.#cached?.size !== size) await this.#repairTail();
    const head = await this.head();
    const chained = chain({ ...record, seq: head.seq + 1 }, head.hash);
    const line = Buffer.from(`${JSON.stringify(chained)}\n`);
    const fh = await open(this.file, 'a');
    let syncMs: number;
    try {
      const start = (await fh.stat()).size;
      try {
        // write() may take part of the buffer (a full disk, a file-size limit): go on until all is in.
        for (let done = 0; done < line.length;) {
          const { bytesWritten } = await fh.write(line, done, line.length - done);
          if (bytesWritten === 0) throw Object.assign(new Error('no progress writing the log'), { code: 'ENOSPC' });
          done += bytesWritten;
        }
        const syncing = performance.now();
        await fh.datasync();
        syncMs = performance.now() - syncing;
      } catch (err) {
        // Back to the last whole record, so the log stays readable and the next append links to it.
        this.#cached = undefined;
        await fh
          .truncate(start)
          .then(() => fh.datasync())
          .catch(() => undefined);
        throw new LogWriteError(this.logId, err as NodeJS.ErrnoException);
      }
      this.#cached = { head: { seq: chained.seq, hash: chained.hash }, size: start + line.length };
    } finally {
      await fh.close();
    }
    this.#tell('appended', { logId: this.logId, seq: chained.seq, syncMs });
    return chained;
  }

  /**
   * Cuts a torn last line (bytes after the last newline: a crash or a full disk in the middle of an
   * append by an older version or another process), keeping every whole record before it. The
   * fragment is set aside beside the log. Resolves undefined when the tail was whole.
   */
  repairTail(): Promise<TailRepair | undefined> {
    const run = this.#queue.then(() => this.#withLock(() => this.#repairTail()));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #repairTail(): Promise<TailRepair | undefined> {
    let fh;
    try {
      fh = await open(this.file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const size = (await fh.stat()).size;
      const last = Buffer.alloc(1);
      if (size === 0 || ((await fh.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] === 0x0a)) return undefined;
      const text = await fh.readFile();
      const keep = text.lastIndexOf(0x0a) + 1;
      const fragment = text.subarray(keep);
      const asideFile = `${this.file}.torn-${new Date().toISOString().replace(/[-:.]/g, '')}`;
      const aside = await writeFile(asideFile, fragment, { flag: 'wx' }).then(
        () => asideFile,
        () => undefined,
      );
      await fh.truncate(keep);
      await fh.datasync();
      this.#cached = undefined;
      const keptRecords = text
        .subarray(0, keep)
        .toString('utf8')
        .split('\n')
        .filter((l) => l.length > 0).length;
      const repair: TailRepair = { logId: this.logId, file: this.file, keptRecords, cutBytes: fragment.length, ...(aside && { asideFile: aside }) };
      this.#tell('repaired', repair);
      return repair;
    } finally {
      await fh.close();
    }
  }

  /** The last record's seq and hash (a fresh log: seq 0 and the genesis hash). */
  async head(): Promise<ChainHead> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
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
   * log), as one snapshot (see `snapshot`).
   */
  async verify(anchors: () => Promise<ChainAnchors> = async () => ({})): Promise<VerifyResult> {
    return this.snapshot(async (lines) => verifyLines(this.logId, lines, await anchors()));
  }

  /**
   * Reads the log and hands its lines to `check`, which runs under the log's lock: what `check` reads
   * beside the log (the head index, the signed checkpoints, both written under this lock by each
   * append) is of the same moment as the lines, so an append landing meanwhile is seen in all of them
   * or in none (issue #14, part 5: a false "broken"). It waits its turn behind this process's appends
   * already asked for, so a stream of them cannot starve it, and it waits for another process's lock
   * until withFileLock would break it as stale; only a lock held longer still is read past, as the
   * log stands.
   */
  snapshot<T>(check: (lines: string[]) => Promise<T>): Promise<T> {
    const read = async () => check(await this.lines());
    const run = this.#queue.then(async () => {
      if (!(await stat(this.file).catch(() => undefined))) return read();
      return this.#withLock(read, STALE_LOCK_MS + 2_000).catch((err: unknown) => {
        if (err instanceof LogLockedError) return read();
        throw err;
      });
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** An observer's failure is not the log's: what it was told of stands. */
  #tell<K extends keyof ChainedLogFileEvents>(event: K, ...args: ChainedLogFileEvents[K]): void {
    for (const listener of this.listeners(event) as ((...a: ChainedLogFileEvents[K]) => void)[]) {
      try {
        listener(...args);
      } catch {
        // ignored: see above
      }
    }
  }

  /** A lock file beside the log keeps two processes from appending at once (fileLock.ts). */
  #withLock<T>(fn: () => Promise<T>, patienceMs = 5_000): Promise<T> {
    return withFileLock(this.file, fn, patienceMs, () => new LogLockedError(this.logId));
  }
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * An append that could not be written whole, rolled back: `insufficient_storage` (507) when the disk
 * or a file-size limit is full, `internal` otherwise. `cause` is the file system's error.
 */
export class LogWriteError extends AppError {
  constructor(
    readonly logId: string,
    override readonly cause: NodeJS.ErrnoException,
  ) {
    const full = DISK_FULL.has(cause.code ?? '');
    super(full ? 'insufficient_storage' : 'internal', full ? 507 : 500, full ? 'no room left to write the log' : 'the log could not be written');
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
