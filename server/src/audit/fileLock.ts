import { mkdir, open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** A lock older than this is taken to belong to a process that died holding it, and is broken. */
const STALE_LOCK_MS = 10_000;

/**
 * Runs `fn` holding `<file>.lock`, an exclusively created file beside `file`, so two processes
 * (nodes sharing a data volume, the command line) never write `file` at once. Waits up to
 * `patienceMs`, polling every 10 ms, then throws what `timedOut()` returns.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, patienceMs: number, timedOut: () => Error): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  const giveUpAt = Date.now() + patienceMs;
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await unlink(lock).catch(() => undefined);
      if (Date.now() > giveUpAt) throw timedOut();
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}
