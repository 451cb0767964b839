import { ForbiddenError } from '../../errors.js';
import { SHOW_ME_MAX_BITRATE } from '@sightline/shared';
import { memberRole } from '../../sessions/access.js';
import { defineHandler } from '../types.js';

/**
 * A pre-tap credential (issue #12) gets one send transport per socket, and the session one such
 * transport at a time: the room closes the previous page's when a new page opens (Room.createTransport).
 */
export const createTransport = defineHandler({
  name: 'transport:create',
  action: 'media',
  budget: 'transport',
  async handle({ socket, principal, peerId, session, services }, { direction }) {
    const pretap = principal.typ === 'pretap';
    if (pretap && (direction !== 'send' || socket.data.pretapTransport)) throw new ForbiddenError('before the tap: one send transport only');
    // Once the invite is spent (the caller tapped in another tab) a page that did not tap has nothing to set up.
    if (principal.typ === 'pretap') await services.invites.beforeTap(principal.invite);
    if (pretap) socket.data.pretapTransport = true;
    (socket.data.mediaSessions ??= new Set()).add(session.id);
    // A caller receives only the dispatcher's show-me picture: its downlink is capped (issue #15 §1).
    const cap = !pretap && direction === 'recv' && memberRole(principal) === 'caller' ? SHOW_ME_MAX_BITRATE : undefined;
    const options = await services.media.run(session, 'createTransport', session.id, peerId, direction, pretap, cap);
    // An ended session carries no media: no TURN credentials for it (staff may still join to look).
    const iceServers = session.status === 'ended' ? undefined : services.iceServers?.(session);
    return iceServers ? { ...options, iceServers } : options;
  },
});

export const connectTransport = defineHandler({
  name: 'transport:connect',
  action: 'media',
  budget: 'transport',
  async handle({ peerId, session, services }, { transportId, dtlsParameters }) {
    await services.media.run(session, 'connectTransport', session.id, peerId, transportId, dtlsParameters);
    return {};
  },
});

export const closeTransport = defineHandler({
  name: 'transport:close',
  action: 'media',
  budget: 'transport',
  async handle({ peerId, session, services }, { transportId }) {
    await services.media.run(session, 'closeTransport', session.id, peerId, transportId);
    return {};
  },
});

export const restartIce = defineHandler({
  name: 'transport:restart-ice',
  action: 'media',
  budget: 'transport',
  async handle({ peerId, session, services }, { transportId }) {
    return { iceParameters: await services.media.run(session, 'restartIce', session.id, peerId, transportId) };
  },
});
