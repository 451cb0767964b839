import type { SessionEventType } from '@sightline/shared';
import type { Principal } from '../auth/TokenService.js';
import { actorOf } from '../sessions/access.js';

/** The session log's records of a supervisor's look (PRODUCT.md: every view, playback and export is logged). */
export type LookType = Extract<SessionEventType, 'supervisor_viewed' | 'recording_played' | 'session_exported'>;

/**
 * One look at a session's data. `what` names the part looked at (`session`, `verify`, `snapshots`,
 * `live video`, …) on `supervisor_viewed`; `name` a file (still, recording); `range` the HTTP Range
 * header as sent (printable ASCII, at most 100 characters), so a download in pieces shows as such;
 * `via` `socket` for the live session.
 */
export interface SessionLook {
  type?: LookType;
  what?: string;
  name?: string;
  range?: string;
  via?: 'socket';
}

/** Writes a supervisor's look into the session's log before the data leaves; a no-op for anyone else. */
export type SupervisorTrail = (principal: Principal | undefined, sessionId: string, look: SessionLook) => Promise<void>;

/**
 * The one writer of supervisor looks, used by the REST gate (every `/api/sessions/:id…` route,
 * http/route.ts) and the socket gate (every read action, signalling/gate.ts), so a route or message
 * added later is logged without asking. Dispatchers reading their own sessions are not logged (the
 * product logs supervisors' access); callers and viewers never reach supervisor data.
 * @throws whatever the log append throws (NotFoundError for an unknown session): the look is then refused.
 */
export function supervisorTrail(sessions: {
  record(id: string, type: SessionEventType, actor: string, details?: Record<string, unknown>): Promise<void>;
}): SupervisorTrail {
  return async (principal, sessionId, look) => {
    if (principal?.typ !== 'staff' || principal.role !== 'supervisor') return;
    const { type = 'supervisor_viewed', what, name, range, via } = look;
    const details = {
      ...(type === 'supervisor_viewed' && what && { what }),
      ...(name && { name }),
      ...(range !== undefined && { range: printableRange(range) }),
      ...(via && { via }),
    };
    await sessions.record(sessionId, type, actorOf(principal), Object.keys(details).length ? details : undefined);
  };
}

/** A Range header is the client's free text: kept as printable ASCII, cut at 100 characters. */
function printableRange(range: string): string {
  return range.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}
