import { readdir, readFile } from 'node:fs/promises';

/** Test helpers for waiting on, and finding, real child processes (ffmpeg, workers). */

/** The pid of the process whose command line has this exact argument; throws when there is none. */
export async function pidWithArg(arg: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(arg)) return Number(entry);
  }
  throw new Error(`no process with argument ${arg}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 100 ms until it holds; throws 'timed out' after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}
