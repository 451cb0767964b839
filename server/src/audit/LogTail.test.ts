import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogTail, LogTails } from './LogTail.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'logtail-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('LogTail (joins do not re-parse the whole log, issue #11 item 2)', () => {
  it('parses only what was appended since the last read, and whole lines only', async () => {
    const file = path.join(dir, 'a.jsonl');
    let parsed = 0;
    const tail = new LogTail(file, (l) => (parsed++, JSON.parse(l) as { n: number }));
    expect(await tail.read()).toEqual([]);
    await writeFile(file, '{"n":1}\n{"n":2}\n');
    expect((await tail.read()).map((r) => r.n)).toEqual([1, 2]);
    await appendFile(file, '{"n":3}\n{"n":');
    expect((await tail.read()).map((r) => r.n)).toEqual([1, 2, 3]);
    await appendFile(file, '4}\n');
    expect((await tail.read()).map((r) => r.n)).toEqual([1, 2, 3, 4]);
    expect(await tail.read()).toHaveLength(4);
    expect(parsed).toBe(4);
  });

  it('reads a file that shrank (cut, or deleted and begun again) from the start', async () => {
    const file = path.join(dir, 'b.jsonl');
    const tail = new LogTail(file, (l) => JSON.parse(l) as { n: number });
    await writeFile(file, '{"n":1}\n{"n":2}\n');
    await tail.read();
    await truncate(file, 8);
    expect((await tail.read()).map((r) => r.n)).toEqual([1]);
    await rm(file);
    expect(await tail.read()).toEqual([]);
  });

  it('keeps the most recently read files within its byte bound', async () => {
    const tails = new LogTails((l) => JSON.parse(l) as { n: number }, 20);
    const files = ['c', 'd', 'e'].map((n) => path.join(dir, `${n}.jsonl`));
    for (const f of files) await writeFile(f, '{"n":1}\n');
    for (const f of files) await tails.read(f);
    // 8 bytes each, bound 20: the first file was dropped, and reading it again still works.
    expect((await tails.read(files[0]!)).map((r) => r.n)).toEqual([1]);
  });
});
