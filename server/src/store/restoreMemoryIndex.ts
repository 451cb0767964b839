import { isSessionStatus, LANGUAGES, type Language, type SessionEvent, type SessionStatus } from '@sightline/shared';
import type { AuditLogs } from '../audit/AuditLogs.js';
import type { Logger } from '../logging.js';
import { SessionFolder } from '../storage/SessionFolder.js';
import type { MemoryStore } from './MemoryStore.js';
import type { SessionRecord } from './Store.js';

/** Why the server ended a session that was still going when the previous process stopped. */
export const SERVER_RESTART = 'server_restart';

export interface RestoreOutcome {
  /** Sessions put back into the index. */
  restored: number;
  /** Of them, those whose log does not end the session: the previous process stopped during them. */
  unfinished: string[];
}

/**
 * The embedded default keeps sessions in memory; their logs, recordings and stills are on disk. At
 * start this puts every session with a log under `$DATA_DIR/sessions/` back into the store, read
 * from its log (the source of truth: the store only ever held what the log holds), so a supervisor
 * finds every session that ever ran, with its events numbered as logged (the store's count then
 * agrees with the log's, and verification stays intact). A log that cannot be read whole is put back
 * with what it has; its verification names what is wrong. Unfinished sessions are returned, for the
 * caller to end: in memory mode their invites, codes, logins and media died with the process, so
 * they cannot go on (Redis mode keeps those, and resumes live sessions instead: SessionTimers).
 */
export async function restoreMemoryIndex(store: MemoryStore, audit: AuditLogs, log: Logger): Promise<RestoreOutcome> {
  const outcome: RestoreOutcome = { restored: 0, unfinished: [] };
  for (const id of await SessionFolder.ids(audit.dataDir)) {
    const events = await eventsOf(audit, id);
    if (!events.length) continue; // a folder with media but no log: nothing says what the session was
    const session = sessionFrom(id, events);
    store.restoreSession(session, events);
    outcome.restored++;
    if (session.status !== 'ended') outcome.unfinished.push(id);
  }
  if (outcome.restored) log.info({ restored: outcome.restored, unfinished: outcome.unfinished.length }, 'sessions restored from their logs');
  return outcome;
}

/** The log's events; a line that does not parse is skipped here (the verification names it). */
async function eventsOf(audit: AuditLogs, id: string): Promise<SessionEvent[]> {
  const lines = await audit.sessionLog(id).lines();
  return lines.flatMap((line) => {
    try {
      const { prevHash: _p, hash: _h, ...event } = JSON.parse(line) as SessionEvent & { prevHash?: string; hash?: string };
      return typeof event.type === 'string' && typeof event.at === 'string' ? [event] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The session as its events tell it: who created it, when, for which incident and language (the
 * `created` record), its last lifecycle status, and when and why it ended. The phone is what the
 * log holds: masked. The caller invite is not known any more (and no longer valid).
 */
export function sessionFrom(id: string, events: SessionEvent[]): SessionRecord {
  const created = events.find((e) => e.type === 'created');
  const details = created?.details ?? {};
  const actor = created?.actor ?? '';
  const status = events.reduce<SessionStatus>((s, e) => (isSessionStatus(e.type) ? e.type : s), 'created');
  const end = [...events].reverse().find((e) => e.type === 'ended');
  const language = LANGUAGES.find((l) => l === details['language']);
  return {
    id,
    status,
    phone: typeof details['phone'] === 'string' ? details['phone'] : '',
    ...(typeof details['incidentRef'] === 'string' && { incidentRef: details['incidentRef'] }),
    language: (language ?? 'nb') as Language,
    dispatcher: actor.startsWith('dispatcher:') ? actor.slice('dispatcher:'.length) : actor || 'unknown',
    createdAt: (created ?? events[0])!.at,
    ...(end && { endedAt: end.at, ...(typeof end.details?.['reason'] === 'string' && { endReason: end.details['reason'] }) }),
    inviteCode: '',
  };
}
