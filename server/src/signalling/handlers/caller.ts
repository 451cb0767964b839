import { defineHandler } from '../types.js';

/** The caller page reports the outcome of its camera request, so the console can say why there is no video. */
export const reportCamera = defineHandler({
  name: 'caller:camera',
  action: 'publish',
  async handle({ session, services }, { granted, reason }) {
    await services.sessions.transition(session.id, granted ? 'camera_granted' : 'camera_denied', 'caller', reason ? { reason } : undefined);
    return {};
  },
});
