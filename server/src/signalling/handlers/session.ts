import { principalRole } from '../../sessions/access.js';
import { defineHandler, sessionChannel } from '../types.js';

export const joinSession = defineHandler({
  name: 'session:join',
  action: 'join',
  async handle({ socket, principal, session, services }) {
    const media = await services.media.run(session, 'join', session.id);
    await socket.join(sessionChannel(session.id));
    return {
      sessionId: session.id,
      status: session.status,
      role: principalRole(principal),
      routerRtpCapabilities: media.rtpCapabilities,
      producers: media.producers,
      events: await services.sessions.events(session.id),
    };
  },
});

