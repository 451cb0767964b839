import { defineHandler } from '../types.js';

export const createTransport = defineHandler({
  name: 'transport:create',
  action: 'media',
  budget: 'transport',
  async handle({ socket, peerId, session, services }, { direction }) {
    (socket.data.mediaSessions ??= new Set()).add(session.id);
    const options = await services.media.run(session, 'createTransport', session.id, peerId, direction);
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
