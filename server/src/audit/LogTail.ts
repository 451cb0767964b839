import { open, stat } from 'node:fs/promises';

/**
 * A JSON-lines file read incrementally: records parsed so far and the byte offset they end at. A read
 * after appends (by this process or another, the command line for one) parses only the new whole
 * lines; a file that shrank or vanished is read again from the start. For what is shown (the session
 * timeline on every join), not for verification: `verify` always reads the file whole.
 */
export class LogTail<T> {
  #records: T[] = [];
  #offset = 0;
  #reading: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly parse: (line: string) => T,
  ) {}

  /** Bytes of the file read so far. */
  get bytes(): number {
    return this.#offset;
  }

  /** Every whole record in the file now, oldest first (a copy of the list; the records are shared). */
  async read(): Promise<T[]> {
    // One read at a time: joins arriving together share it.
    while (this.#reading) await this.#reading;
    this.#reading = this.#catchUp().finally(() => (this.#reading = undefined));
    await this.#reading;
    return this.#records.slice();
  }

  async #catchUp(): Promise<void> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size < this.#offset) {
      this.#records = [];
      this.#offset = 0;
    }
    if (size === this.#offset) return;
    const fh = await open(this.file, 'r').catch(() => undefined);
    if (!fh) return;
    try {
      const buf = Buffer.alloc(size - this.#offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.#offset);
      // Only whole lines: a record being written now is read next time.
      const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
      if (end === 0) return;
      const parsed = buf
        .subarray(0, end)
        .toString('utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map(this.parse);
      this.#records.push(...parsed);
      this.#offset += end;
    } finally {
      await fh.close();
    }
  }
}

/**
 * LogTails of many files, the most recently read kept while their bytes add up to `maxBytes` (the
 * least recently read go first). Each session's log is bounded by its budget (LIMITS.logBytesPerSession).
 */
export class LogTails<T> {
  #tails = new Map<string, LogTail<T>>();

  constructor(
    private readonly parse: (line: string) => T,
    private readonly maxBytes = 32 * 2 ** 20,
  ) {}

  async read(file: string): Promise<T[]> {
    const tail = this.#tails.get(file) ?? new LogTail(file, this.parse);
    // Re-inserted: a Map iterates in insertion order, so the first entries are the least recently read.
    this.#tails.delete(file);
    this.#tails.set(file, tail);
    const records = await tail.read();
    let total = 0;
    for (const t of this.#tails.values()) total += t.bytes;
    for (const [name, t] of this.#tails) {
      if (total <= this.maxBytes || t === tail) break;
      total -= t.bytes;
      this.#tails.delete(name);
    }
    return records;
  }
}
