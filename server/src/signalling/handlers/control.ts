import { actorOf } from '../../sessions/access.js';
import { BOUNDED } from '../../sessions/SessionService.js';
import { defineHandler } from '../types.js';

/** The dispatcher asks the caller's page to flip the camera or switch the torch. */
export const requestControl = defineHandler({
  name: 'control:request',
  action: 'control',
  budget: 'mediaState',
  logs: true,
  async handle({ principal, session, services }, { action }) {
    await services.sessions.record(
      session.id,
      'control_requested',
      actorOf(principal),
      { action },
      { push: { name: 'control:request', payload: { sessionId: session.id, action } } },
    );
    return {};
  },
});

/** The caller's page says whether it could: the console shows "done" or "not possible on this phone". */
export const replyControl = defineHandler({
  name: 'control:reply',
  action: 'publish',
  budget: 'mediaState',
  logs: true,
  async handle({ session, services }, { action, outcome, detail }) {
    await services.sessions.record(
      session.id,
      'control_answered',
      'caller',
      { action, outcome, detail },
      {
        ...BOUNDED,
        push: { name: 'control:reply', payload: { sessionId: session.id, action, outcome, ...(detail && { detail }) } },
      },
    );
    return {};
  },
});
