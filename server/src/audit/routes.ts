import { pipeline } from 'node:stream/promises';
import { defineRoute } from '../http/route.js';
import { actorOf } from '../sessions/access.js';
import { sessionRoute } from '../sessions/sessionRoute.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { AuditLogs } from './AuditLogs.js';
import type { VerifyResult } from './chain.js';
import { exportSession } from './exportSession.js';

const supervisor = { staff: ['supervisor'] } as const;

/** The supervisor's tools: verify a log, export a session, legal hold, and the access log itself. */
export function auditRoutes(
  sessions: SessionService,
  audit: AuditLogs,
  opts: {
    /** The session store's event count, a witness the log's verification is checked against. */
    storeCount(sessionId: string): Promise<number>;
    /** A log found broken is a security event (`log_broken`, reason: the link), counted in /metrics. */
    security: SecurityEvents;
  },
) {
  const reported = (result: VerifyResult, sessionId?: string) => {
    if (!result.intact) opts.security.record({ kind: 'log_broken', reason: result.link, ...(sessionId ? { sessionId } : { key: 'access' }) });
    return answer(result);
  };
  return [
    sessionRoute(sessions, 'GET /api/sessions/:id/verify', {
      access: supervisor,
      action: 'audit',
      async handle({ params }) {
        return reported(await audit.verifySession(params.id, { storeCount: () => opts.storeCount(params.id) }), params.id);
      },
    }),
    sessionRoute(sessions, 'GET /api/sessions/:id/export', {
      access: supervisor,
      action: 'audit',
      // Logged by the route gate before the archive is built, so the export carries its own record.
      audit: { type: 'session_exported' },
      async handle({ session: s, principal, res }) {
        const { stream } = await exportSession(audit, s.id, actorOf(principal));
        res.set({
          'Content-Type': 'application/gzip',
          'Content-Disposition': `attachment; filename="sightline-${s.id}.tar.gz"`,
          'Cache-Control': 'no-store',
        });
        // pipeline, not pipe: a file that vanishes mid-archive (retention, an operator) rejects here and
        // cuts this download (the error handler logs it), where an unheard stream 'error' ended the process.
        await pipeline(stream, res);
      },
    }),
    sessionRoute(sessions, 'POST /api/sessions/:id/hold', {
      access: supervisor,
      action: 'audit',
      // The hold is the supervisor's record: `legal_hold`, by them.
      audit: 'handler',
      async handle({ session: s, body, principal }) {
        await sessions.record(s.id, 'legal_hold', actorOf(principal), { hold: body.hold, ...(body.reason && { reason: body.reason }) });
        return { id: s.id, legalHold: body.hold };
      },
    }),
    defineRoute('GET /api/audit/access', {
      access: supervisor,
      async handle() {
        // One moment of the log: the records shown are the ones verified (a search logged meanwhile is in neither).
        const { records, result } = await audit.snapshotAccess();
        return { records, integrity: reported(result) };
      },
    }),
  ];
}

/** A verification as REST gives it: `firstBadSeq`, `reason` and `link` only when broken. */
function answer({ intact, records, firstBadSeq, reason, link }: VerifyResult) {
  return { intact, records, ...(!intact && { ...(firstBadSeq !== undefined && { firstBadSeq }), reason, link }) };
}
