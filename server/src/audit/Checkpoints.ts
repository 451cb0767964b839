import { mkdir, open, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logging.js';
import { withFileLock } from './fileLock.js';
import { CheckpointView, signCheckpoint, type CheckpointEntry, type CheckpointHead } from './checkpointChain.js';
import type { CheckpointKeys, CheckpointSigner } from './checkpointKey.js';

export interface CheckpointsOptions {
  /** Signs new checkpoints; without it (a verifier) nothing is written. */
  signer?: CheckpointSigner;
  /** Public keys checkpoints are checked with (the signer's own is added). */
  keys: CheckpointKeys;
  /** Written into each checkpoint: which node or tool signed it. */
  node: string;
  log?: Logger;
}

/**
 * Signed checkpoints of log heads (`$DATA_DIR/index/checkpoints.jsonl`, one chain shared by every
 * node and the command line, appended under a lock file). Appends tell it each new head (`note`);
 * `flush` signs the heads that grew since the file last saw them: every CHECKPOINT_INTERVAL_SECONDS
 * (`start`), at every sealed append (a session's end and what follows it) and at shutdown.
 *
 * What it adds to the hash chain: someone who can write $DATA_DIR but lacks the private key cannot
 * re-chain a log, cut it or delete it below a signed head without `check` (checkpointCheck.ts) naming
 * it. This process also remembers the newest checkpoint it wrote or read, so removing checkpoints
 * from the end of the file is seen while it runs; each checkpoint's hash also goes to the service log
 * (info), a copy off the disk.
 */
/** Where the checkpoints of a data directory are kept. */
export function checkpointFile(dataDir: string): string {
  return path.join(dataDir, 'index', 'checkpoints.jsonl');
}

export class Checkpoints {
  readonly file: string;
  #pending = new Map<string, CheckpointHead>();
  #view: CheckpointView;
  /** Bytes of the file the view has taken in (whole lines only). */
  #offset = 0;
  #remembered: { seq: number; hash: string } | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #viewQueue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    dataDir: string,
    readonly opts: CheckpointsOptions,
  ) {
    this.file = checkpointFile(dataDir);
    if (opts.signer) opts.keys.set(opts.signer.kid, opts.signer.publicKey);
    this.#view = new CheckpointView(opts.keys);
  }

  /** A log's new head, to be signed at the next flush (`sealed`: at or after the session's end). */
  note(logId: string, head: CheckpointHead): void {
    const before = this.#pending.get(logId);
    if (before && before.seq > head.seq) return;
    this.#pending.set(logId, { seq: head.seq, hash: head.hash, ...((head.sealed || (before?.sealed && before.seq === head.seq)) && { sealed: true }) });
  }

  /**
   * Signs the noted heads the file does not hold yet, as one new checkpoint (none when nothing grew).
   * Heads another node signed further already are left out, so the file stays monotonic however
   * nodes interleave. A broken file is not extended (the error is logged; verify names the break).
   */
  flush(): Promise<CheckpointEntry | undefined> {
    const run = this.#queue.then(() => (this.opts.signer ? this.#withLock(() => this.#flush(this.opts.signer!)) : undefined));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #flush(signer: CheckpointSigner): Promise<CheckpointEntry | undefined> {
    const view = await this.view();
    if (view.broken) {
      this.opts.log?.error({ file: this.file, problem: view.broken.reason }, 'checkpoint file is broken: not extended');
      return undefined;
    }
    const taken = [...this.#pending];
    const logs: Record<string, CheckpointHead> = {};
    for (const [logId, head] of taken) {
      const signed = view.latest(logId);
      if (!signed || signed.seq < head.seq || (head.sealed && !signed.sealed && signed.seq === head.seq)) logs[logId] = head;
    }
    let entry: CheckpointEntry | undefined;
    if (Object.keys(logs).length > 0) {
      await this.#dropTornTail();
      entry = signCheckpoint({ seq: view.entries + 1, at: new Date().toISOString(), node: this.opts.node, prev: view.last, logs }, signer);
      const line = `${JSON.stringify(entry)}\n`;
      await mkdir(path.dirname(this.file), { recursive: true });
      const fh = await open(this.file, 'a');
      try {
        await fh.write(line);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      // Taken in (and remembered) the way any reader takes it in: a verification may be reading too.
      await this.view();
      this.opts.log?.info({ checkpoint: entry.seq, hash: entry.hash, logs: Object.keys(logs).length }, 'log checkpoint signed');
    }
    for (const [logId, head] of taken) if (this.#pending.get(logId) === head) this.#pending.delete(logId);
    return entry;
  }

  /**
   * The checkpoints as the file holds them now, checked. Reads only what was appended since the last
   * call; a file that shrank is read again from the start and must still hold the newest checkpoint
   * this process wrote or read.
   */
  view(): Promise<CheckpointView> {
    // One refresh at a time: two would each take in the same new lines.
    const run = this.#viewQueue.then(() => this.#refresh());
    this.#viewQueue = run.catch(() => undefined);
    return run;
  }

  async #refresh(): Promise<CheckpointView> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size === this.#offset) return this.#view;
    if (size < this.#offset) {
      this.#view = new CheckpointView(this.opts.keys);
      this.#offset = 0;
    }
    const fresh = await readFrom(this.file, this.#offset);
    // Only whole lines: another writer may be midway through its line.
    const end = fresh.lastIndexOf(0x0a) + 1;
    const lines = fresh.subarray(0, end).toString('utf8').split('\n');
    for (const [i, line] of lines.entries()) {
      if (line) this.#view.add(line);
      // About 0.3 ms a line (a signature check): a long file must not stall live calls meanwhile.
      if (i % 200 === 199) await new Promise((r) => setImmediate(r));
    }
    this.#offset += end;
    const r = this.#remembered;
    if (r && !this.#view.broken && this.#view.hashOf(r.seq) !== r.hash) {
      this.#view.broken = {
        entry: Math.min(r.seq, this.#view.entries + 1),
        reason: `the checkpoint file no longer holds checkpoint #${r.seq} as it was signed (${r.hash.slice(0, 12)}…); it ends at #${this.#view.entries} (checkpoints removed)`,
      };
    }
    if (!this.#view.broken && this.#view.entries > 0) this.#remembered = { seq: this.#view.entries, hash: this.#view.last };
    return this.#view;
  }

  /**
   * Under the lock nobody else is writing, so bytes after the last whole line are a line a crashed
   * writer left half done: cut them, or the next checkpoint would be glued to them and unreadable.
   */
  async #dropTornTail(): Promise<void> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size <= this.#offset) return;
    this.opts.log?.warn({ file: this.file, bytes: size - this.#offset }, 'checkpoint file: dropped a torn last line');
    await truncate(this.file, this.#offset);
  }

  /** Flushes every `intervalMs` until `stop`. */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      this.flush().catch((err: Error) => this.opts.log?.error({ err: err.message }, 'log checkpoint failed'));
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and signs what is still pending (shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush().catch((err: Error) => this.opts.log?.error({ err: err.message }, 'log checkpoint failed'));
  }

  /** A lock file beside the checkpoints keeps two writers (nodes, the command line) apart (fileLock.ts). */
  #withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.file, fn, 15_000, () => new Error(`checkpoint file ${this.file} is locked`));
  }
}

/** The file's bytes from `offset` on (only what a reader has not taken in yet: the file only grows). */
async function readFrom(file: string, offset: number): Promise<Buffer> {
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return Buffer.alloc(0);
  try {
    const chunks: Buffer[] = [];
    for (let at = offset; ;) {
      const { bytesRead, buffer } = await fh.read({ buffer: Buffer.alloc(1 << 16), position: at });
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
    return Buffer.concat(chunks);
  } finally {
    await fh.close();
  }
}
