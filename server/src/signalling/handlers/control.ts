import { actorOf } from '../../sessions/access.js';
import { BOUNDED } from '../../sessions/SessionService.js';
import { pushToSession } from '../push.js';
import { defineHandler } from '../types.js';

/** The dispatcher asks the caller's page to flip the camera or switch the torch. */
export const requestControl = defineHandler({
  name: 'control:request',
  action: 'control',
  budget: 'mediaState',
  logs: true,
  async handle({ socket, principal, session, services }, { action }) {
    await services.sessions.record(session.id, 'control_requested', actorOf(principal), { action });
    pushToSession(socket.nsp, session.id, 'control:request', { sessionId: session.id, action });
    return {};
  },
});

/** The caller's page says whether it could: the console shows "done" or "not possible on this phone". */
export const replyControl = defineHandler({
  name: 'control:reply',
  action: 'publish',
  budget: 'mediaState',
  logs: true,
  async handle({ socket, session, services }, { action, outcome, detail }) {
    await services.sessions.record(session.id, 'control_answered', 'caller', { action, outcome, detail }, BOUNDED);
    pushToSession(socket.nsp, session.id, 'control:reply', { sessionId: session.id, action, outcome, ...(detail && { detail }) });
    return {};
  },
});
