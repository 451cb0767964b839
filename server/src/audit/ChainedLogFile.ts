import { open, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chain, genesisHash, verifyLines, type ChainHead, type ChainedRecord, type UnchainedRecord, type VerifyResult } from './chain.js';

/**
 * An append-only, hash-chained JSON-lines file. Each append is written and fdatasync'd before it
 * resolves, so a record acknowledged to anyone is on disk. Appends to one file are serialised.
 */
export class ChainedLogFile {
  #last: Promise<ChainHead> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    readonly logId: string,
  ) {}

  append(record: UnchainedRecord): Promise<ChainedRecord> {
    const run = this.#queue.then(() => this.#append(record));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #append(record: UnchainedRecord): Promise<ChainedRecord> {
    this.#last ??= this.#readHead();
    const head = await this.#last;
    if (record.seq !== head.seq + 1) throw new Error(`log ${this.logId}: seq ${record.seq} does not follow ${head.seq}`);
    const chained = chain(record, head.hash);
    await mkdir(path.dirname(this.file), { recursive: true });
    const fh = await open(this.file, 'a');
    try {
      await fh.write(`${JSON.stringify(chained)}\n`);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.#last = Promise.resolve({ seq: chained.seq, hash: chained.hash });
    return chained;
  }

  /** The head after the last intact record on disk (a fresh log: seq 0 and the genesis hash). */
  async #readHead(): Promise<ChainHead> {
    const lines = await this.lines();
    const last = lines.at(-1);
    if (!last) return { seq: 0, hash: genesisHash(this.logId) };
    const rec = JSON.parse(last) as ChainedRecord;
    return { seq: rec.seq, hash: rec.hash };
  }

  async head(): Promise<ChainHead> {
    this.#last ??= this.#readHead();
    return this.#last;
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

  async verify(head?: ChainHead): Promise<VerifyResult> {
    return verifyLines(this.logId, await this.lines(), head);
  }
}
