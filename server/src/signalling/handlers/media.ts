import { defineHandler } from '../types.js';

export const produce = defineHandler({
  name: 'media:produce',
  action: 'publish',
  async handle({ peerId, session, services }, { transportId, kind, rtpParameters, source }) {
    const room = await services.rooms.get(session.id);
    // The newest connection of the caller wins: after a network change or a reload the old
    // producer may linger until its socket times out.
    room.closeProducers(source);
    return { producerId: await room.produce(peerId, transportId, kind, rtpParameters, source) };
  },
});

export const consume = defineHandler({
  name: 'media:consume',
  action: 'watch',
  async handle({ peerId, session, services }, { transportId, producerId, rtpCapabilities }) {
    return (await services.rooms.get(session.id)).consume(peerId, transportId, producerId, rtpCapabilities);
  },
});

export const resumeConsumer = defineHandler({
  name: 'media:resume',
  action: 'watch',
  async handle({ peerId, session, services }, { consumerId }) {
    await (await services.rooms.get(session.id)).resume(peerId, consumerId);
    return {};
  },
});
