import type { AuditLogs } from '../audit/AuditLogs.js';
import { SessionFolder } from '../storage/SessionFolder.js';
import type { DemoSession } from './demoSessions.js';

/** `npx sightline demo-data` only fills a data directory without sessions: synthetic data never mixes with real logs. */
export class DataDirNotEmptyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly sessions: number,
  ) {
    super(`${dataDir} already holds ${sessions} session(s); demo data goes only into a data directory without sessions`);
    this.name = 'DataDirNotEmptyError';
  }
}

/**
 * Writes the sessions' logs into `audit`'s data directory the way the server writes them: each record
 * appended through AuditLogs (hash-chained, fdatasync'd, its genesis and, at `ended`, its sealed head
 * in the head index, signed in a checkpoint when `audit` has a signer), so a server started on the
 * directory restores them (store/restoreMemoryIndex.ts) and verifies them intact. `onSession` is told
 * after each session.
 * @throws DataDirNotEmptyError, before writing anything, when the directory holds a session already.
 */
export async function writeDemoData(
  audit: AuditLogs,
  sessions: readonly DemoSession[],
  onSession?: (done: number) => void,
  /** Runs once the directory is found empty, before the first session is written (the run's record). */
  onStart?: () => Promise<void>,
): Promise<void> {
  const existing = await SessionFolder.ids(audit.dataDir);
  if (existing.length) throw new DataDirNotEmptyError(audit.dataDir, existing.length);
  await onStart?.();
  let done = 0;
  for (const s of sessions) {
    for (const e of s.events) await audit.appendSession(s.id, e, e.type === 'ended');
    onSession?.(++done);
  }
}
