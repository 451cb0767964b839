import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A lock older than this is taken to belong to a process that died holding it, and is broken. */
export const STALE_LOCK_MS = 10_000;

/** What a lock file holds: who took it, so a lock left by a process that died is broken at once. */
const OWNER = `${os.hostname()} ${process.pid}`;

/**
 * Runs `fn` holding `<file>.lock`, an exclusively created file beside `file`, so two processes
 * (nodes sharing a data volume, the command line) never write `file` at once. Waits up to
 * `patienceMs`, polling every 10 ms, then throws what `timedOut()` returns. A lock taken on this host
 * by a process that no longer runs (a node killed mid-append, then restarted) is broken at once;
 * one from another host only once it is older than STALE_LOCK_MS.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, patienceMs: number, timedOut: () => Error): Promise<T> {
  const lock = `${file}.lock`;
  const giveUpAt = Date.now() + patienceMs;
  for (;;) {
    try {
      const fh = await open(lock, 'wx');
      // On a full disk the owner may not fit: the lock still holds, and goes stale by age alone.
      await fh
        .writeFile(OWNER)
        .catch(() => undefined)
        .finally(() => fh.close());
      break;
    } catch (err) {
      // The folder is made on the first lock only, not before every one (a join storm: 2 % of the CPU).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && Date.now() <= giveUpAt) {
        await mkdir(path.dirname(file), { recursive: true });
        continue;
      }
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS || (await heldByDeadProcess(lock))) await unlink(lock).catch(() => undefined);
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

/** True when the lock names a process on this host that has exited. */
async function heldByDeadProcess(lock: string): Promise<boolean> {
  const [host, pid] = (await readFile(lock, 'utf8').catch(() => '')).split(' ');
  if (host !== os.hostname() || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
