import { actorOf } from '../../sessions/access.js';
import { defineHandler } from '../types.js';

export const produce = defineHandler({
  name: 'media:produce',
  action: 'publish',
  budget: 'produce',
  async handle({ peerId, session, services }, { transportId, kind, rtpParameters, source }) {
    // The newest connection of the caller wins (MediaOps.produce): after a network change or a
    // reload the old producer may linger until its socket times out.
    return { producerId: await services.media.run(session, 'produce', session.id, peerId, transportId, kind, rtpParameters, source) };
  },
});

export const consume = defineHandler({
  name: 'media:consume',
  action: 'watch',
  async handle({ peerId, session, services }, { transportId, producerId, rtpCapabilities }) {
    return services.media.run(session, 'consume', session.id, peerId, transportId, producerId, rtpCapabilities);
  },
});

export const requestKeyFrame = defineHandler({
  name: 'media:key-frame',
  action: 'watch',
  async handle({ peerId, session, services }, { consumerId }) {
    return { requested: await services.media.run(session, 'keyFrame', session.id, peerId, consumerId) };
  },
});

export const resumeConsumer = defineHandler({
  name: 'media:resume',
  action: 'watch',
  async handle({ peerId, session, services }, { consumerId }) {
    await services.media.run(session, 'resume', session.id, peerId, consumerId);
    return {};
  },
});

/**
 * The console's first decoded frame of a caller video producer (issue #16 §1): `first_frame`, once
 * per producer (analytics/FirstFrames.ts). The session's dispatcher only, while it is going.
 */
export const reportFirstFrame = defineHandler({
  name: 'media:first-frame',
  action: 'control',
  budget: 'mediaState',
  logs: true,
  async handle({ principal, session, services }, { producerId }) {
    return services.firstFrames.report(session.id, producerId, actorOf(principal));
  },
});
