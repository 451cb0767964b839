import { memberRole, opensMedia } from '../../sessions/access.js';
import { audienceOf, joinAnswerFor } from '../../sessions/projections.js';
import { audienceChannel, defineHandler, sessionChannel } from '../types.js';

export const joinSession = defineHandler({
  name: 'session:join',
  action: 'join',
  budget: 'join',
  async handle({ socket, principal, peerId, session, services }, { rtpCapabilities }) {
    const role = memberRole(principal);
    const as = role === 'caller' ? 'caller' : role === 'viewer' ? 'viewer' : 'staff';
    // Staff may still join an ended session for its timeline: no router is opened for it (access.ts).
    const media = opensMedia(session) ? await services.media.run(session, 'join', session.id, peerId, rtpCapabilities && { as, rtpCapabilities }) : undefined;
    // A receiver's capabilities count until its socket goes: the disconnect clean-up must know the session.
    if (media && rtpCapabilities && as !== 'caller') (socket.data.mediaSessions ??= new Set()).add(session.id);
    await socket.join([sessionChannel(session.id), audienceChannel(session.id, audienceOf(principal))]);
    // Before the answer, so the caller knows what to send before it first produces.
    if (media && as === 'caller') socket.emit('media:video-codecs', { sessionId: session.id, codecs: media.videoCodecs });
    // Each role's part only (sessions/projections.ts): a caller gets no usernames, CAD reference or supervisor access; a viewer no usernames or supervisor access.
    return joinAnswerFor(principal, {
      sessionId: session.id,
      status: session.status,
      role,
      routerRtpCapabilities: media?.rtpCapabilities ?? null,
      producers: media?.producers ?? [],
      events: await services.sessions.events(session.id),
      ...(session.incidentRef && { incidentRef: session.incidentRef }),
      ...(media?.showMe && { showMe: media.showMe }),
    });
  },
});
