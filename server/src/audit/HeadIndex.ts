import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChainAnchors, ChainHead } from './chain.js';

interface Anchors {
  heads: Map<string, ChainHead>;
  genesis: Map<string, ChainHead>;
}

/**
 * Anchors of the session logs, kept apart from them (`$DATA_DIR/index/heads.jsonl`): each log's first
 * record as written when it began (lines with `"kind":"genesis"`; the first such line wins), and the
 * chain head of ended sessions (the latest head line wins). A log whose tail was cut off, or that was
 * re-chained after a rewrite, still verifies link by link; its anchors are what give it away.
 */
interface PendingLine {
  line: Record<string, unknown>;
  apply: (a: Anchors) => void;
  done: (err?: unknown) => void;
}

export class HeadIndex {
  #anchors: Promise<Anchors> | undefined;
  /** Lines waiting for the next write; `#writing` is the write under way (one at a time). */
  #pending: PendingLine[] = [];
  // eslint-disable-next-line no-unused-private-class-members -- read by `??=` in #write: one drain at a time
  #writing: Promise<void> | undefined;
  #size = -1;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'index', 'heads.jsonl');
  }

  async get(logId: string): Promise<ChainHead | undefined> {
    return (await this.#fresh()).heads.get(logId);
  }

  /** Everything the index holds for one log, for its verification. */
  async anchors(logId: string): Promise<ChainAnchors> {
    const { heads, genesis } = await this.#fresh();
    return { head: heads.get(logId), genesis: genesis.get(logId) };
  }

  set(logId: string, head: ChainHead): Promise<void> {
    return this.#write({ log: logId, seq: head.seq, hash: head.hash }, ({ heads }) => heads.set(logId, head));
  }

  /** Records a log's first record; written once, right after it (a later line cannot replace it). */
  setGenesis(logId: string, first: ChainHead): Promise<void> {
    return this.#write({ log: logId, kind: 'genesis', seq: first.seq, hash: first.hash }, ({ genesis }) => {
      if (!genesis.has(logId)) genesis.set(logId, first);
    });
  }

  /** Re-reads the file (another process, such as the CLI, may have written it). */
  reload(): void {
    this.#anchors = undefined;
  }

  /** Another process (the command line) may have appended: re-read when the file has changed size. */
  async #fresh(): Promise<Anchors> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size !== this.#size) this.#anchors = undefined;
    return this.#load();
  }

  /**
   * Group commit: every line that arrives while a write is under way goes into the next one, with
   * one fdatasync for all of them; each caller resolves once its own line is on disk. One index
   * serves every session, so one fdatasync per line made it the queue every new session waited in
   * (200 sessions at once: seconds; issue #12, join storm).
   */
  #write(line: Record<string, unknown>, apply: (a: Anchors) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line: { ...line, at: new Date().toISOString() }, apply, done: (err) => (err === undefined ? resolve() : reject(err)) });
      this.#writing ??= this.#drain().finally(() => (this.#writing = undefined));
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0);
      try {
        const anchors = await this.#load();
        await mkdir(path.dirname(this.file), { recursive: true });
        const fh = await open(this.file, 'a');
        try {
          await fh.write(batch.map((p) => `${JSON.stringify(p.line)}\n`).join(''));
          await fh.datasync();
          this.#size = (await fh.stat()).size;
        } finally {
          await fh.close();
        }
        for (const p of batch) p.apply(anchors);
        for (const p of batch) p.done();
      } catch (err) {
        for (const p of batch) p.done(err ?? new Error('head index not written'));
      }
    }
  }

  #load(): Promise<Anchors> {
    this.#anchors ??= readFile(this.file, 'utf8').then(
      (text) => {
        this.#size = Buffer.byteLength(text);
        return parse(text);
      },
      () => ({ heads: new Map<string, ChainHead>(), genesis: new Map<string, ChainHead>() }),
    );
    return this.#anchors;
  }
}

function parse(text: string): Anchors {
  const anchors: Anchors = { heads: new Map(), genesis: new Map() };
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const { log, kind, seq, hash } = JSON.parse(line) as { log: string; kind?: string; seq: number; hash: string };
      if (kind === 'genesis') {
        if (!anchors.genesis.has(log)) anchors.genesis.set(log, { seq, hash });
      } else {
        anchors.heads.set(log, { seq, hash });
      }
    } catch {
      // A torn last line after a crash: the previous anchor for that log stands.
    }
  }
  return anchors;
}
