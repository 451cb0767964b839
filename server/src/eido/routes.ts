import { actorOf } from '../sessions/access.js';
import type { SessionService } from '../sessions/SessionService.js';
import { sessionRoute } from '../sessions/sessionRoute.js';
import type { EidoExport } from './EidoExport.js';

/**
 * `GET /api/sessions/:id/eido` (issue #16 §3): the session as an EIDO document, for its dispatcher and
 * for supervisors (`view`; another dispatcher gets 403). A supervisor's request is logged by the
 * route gate like every session route's (`supervisor_viewed`, `what: 'eido'`). While the session is
 * live its dispatcher's answer holds a view-only invite, minted or reused (EidoExport): a
 * `viewer_invited` record; a supervisor's links the session in /audit.
 */
export function eidoRoutes(sessions: SessionService, eido: EidoExport) {
  return [
    sessionRoute(sessions, 'GET /api/sessions/:id/eido', {
      access: { staff: ['dispatcher', 'supervisor'] },
      action: 'view',
      async handle({ session, principal, res }) {
        // It holds a link that lets a browser into a live session: for the asker only.
        res.set('Cache-Control', 'no-store');
        // Only the session's dispatcher may let a viewer in (as POST …/viewers): a supervisor's copy
        // links the session in /audit, so reading a document never mints a live link around that rule.
        return eido.document(session, actorOf(principal), { liveLink: principal.typ === 'staff' && principal.role === 'dispatcher' });
      },
    }),
  ];
}
