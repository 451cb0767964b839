import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChainedRecord } from './chain.js';

/** Where a session's files live, and what can be read off its log without any store. */
export function sessionDir(dataDir: string, sessionId: string): string {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(sessionId)) throw new Error(`not a session id: ${sessionId}`);
  return path.join(dataDir, 'sessions', sessionId);
}

export async function listSessionIds(dataDir: string): Promise<string[]> {
  const names = await readdir(path.join(dataDir, 'sessions')).catch(() => [] as string[]);
  return names.filter((n) => /^[A-Za-z0-9_-]{8,64}$/.test(n)).sort();
}

/** Media files of a session (recordings and stills), relative to its folder. */
export async function mediaFiles(dir: string): Promise<{ rel: string; bytes: number }[]> {
  const out: { rel: string; bytes: number }[] = [];
  for (const sub of ['recordings', 'snapshots']) {
    const names = await readdir(path.join(dir, sub)).catch(() => [] as string[]);
    for (const name of names) {
      if (name === 'index.json' || name.startsWith('.')) continue;
      const s = await stat(path.join(dir, sub, name)).catch(() => undefined);
      if (s?.isFile()) out.push({ rel: `${sub}/${name}`, bytes: s.size });
    }
  }
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

export interface LogFacts {
  endedAt?: string;
  legalHold: boolean;
}

/** The end time and the current legal-hold state, as the log says. */
export function factsFromLog(records: ChainedRecord[]): LogFacts {
  let endedAt: string | undefined;
  let legalHold = false;
  for (const r of records) {
    if (r.type === 'ended') endedAt ??= r.at;
    if (r.type === 'legal_hold') legalHold = r.details?.['hold'] === true;
  }
  return { endedAt, legalHold };
}
