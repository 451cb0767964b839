import { defineHandler } from '../types.js';

export const createTransport = defineHandler({
  name: 'transport:create',
  action: 'join',
  async handle({ peerId, session, services }, { direction }) {
    const options = await (await services.rooms.get(session.id)).createTransport(peerId, direction);
    const iceServers = services.iceServers?.(session.id);
    return iceServers ? { ...options, iceServers } : options;
  },
});

export const connectTransport = defineHandler({
  name: 'transport:connect',
  action: 'join',
  async handle({ peerId, session, services }, { transportId, dtlsParameters }) {
    await (await services.rooms.get(session.id)).connectTransport(peerId, transportId, dtlsParameters);
    return {};
  },
});

export const restartIce = defineHandler({
  name: 'transport:restart-ice',
  action: 'join',
  async handle({ peerId, session, services }, { transportId }) {
    return { iceParameters: await (await services.rooms.get(session.id)).restartIce(peerId, transportId) };
  },
});
