import { NotFoundError } from '../../errors.js';
import { actorOf } from '../../sessions/access.js';
import { defineHandler } from '../types.js';

/**
 * Show me (issue #15 §1): the dispatcher's picture on the caller's phone, through the same gate and
 * SFU as the caller's video. The dispatcher (`show`) may produce one thing only, a `show_me` video
 * (Room keeps it out of everything about the caller's media); the caller's page (`see`) may receive
 * that and nothing else, over a receive transport capped at SHOW_ME_MAX_BITRATE (handlers/transport.ts).
 * `show_me_started` is logged here; `show_me_ended`, whatever ended it, where the room says so (MediaStates).
 */
export const produceShowMe = defineHandler({
  name: 'show-me:produce',
  action: 'show',
  budget: 'produce',
  logs: true,
  async handle({ principal, peerId, session, services }, { transportId, rtpParameters, source }) {
    const producerId = await services.media.run(session, 'produce', session.id, peerId, transportId, 'video', rtpParameters, 'show_me', source);
    await services.sessions.record(
      session.id,
      'show_me_started',
      actorOf(principal),
      { source },
      { push: { name: 'show-me:changed', payload: { sessionId: session.id, showMe: { producerId, source } } } },
    );
    return { producerId };
  },
});

export const stopShowMe = defineHandler({
  name: 'show-me:stop',
  action: 'show',
  budget: 'mediaState',
  async handle({ session, services }) {
    await services.media.run(session, 'stopShowMe', session.id, 'stopped');
    return {};
  },
});

/** The caller's page receives the picture shown now; `not_found` when nothing is shown. */
export const receiveShowMe = defineHandler({
  name: 'show-me:receive',
  action: 'see',
  budget: 'transport',
  async handle({ peerId, session, services }, { transportId, rtpCapabilities }) {
    const showMe = await services.media.run(session, 'showMe', session.id);
    if (!showMe) throw new NotFoundError('show me');
    return services.media.run(session, 'consume', session.id, peerId, transportId, showMe.producerId, rtpCapabilities, true);
  },
});

export const resumeShowMe = defineHandler({
  name: 'show-me:resume',
  action: 'see',
  async handle({ peerId, session, services }, { consumerId }) {
    await services.media.run(session, 'resume', session.id, peerId, consumerId);
    return {};
  },
});

/** The caller closed the picture: it stops for everyone, and the console is told why. */
export const closeShowMe = defineHandler({
  name: 'show-me:close',
  action: 'see',
  budget: 'mediaState',
  async handle({ session, services }) {
    await services.media.run(session, 'stopShowMe', session.id, 'caller_closed');
    return {};
  },
});
