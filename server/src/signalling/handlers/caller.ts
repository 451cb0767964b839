import { BOUNDED } from '../../sessions/SessionService.js';
import { defineHandler } from '../types.js';

/** The caller page reports the outcome of its camera request, so the console can say why there is no video. */
export const reportCamera = defineHandler({
  name: 'caller:camera',
  action: 'publish',
  budget: 'mediaState',
  logs: true,
  async handle({ session, services }, { granted, reason, platform, browser }) {
    const details = { ...(reason && { reason }), ...(platform && { platform }), ...(browser && { browser }) };
    await services.sessions.transition(session.id, granted ? 'camera_granted' : 'camera_denied', 'caller', Object.keys(details).length ? details : undefined);
    return {};
  },
});

/** Pause/black-out and camera facing, as the caller's page reports them. Only changes are logged; every report is told. */
export const reportMedia = defineHandler({
  name: 'caller:media',
  action: 'publish',
  budget: 'mediaState',
  logs: true,
  async handle({ session, services }, { paused, facing }) {
    const before = await services.media.run(session, 'setCallerMedia', session.id, { paused, facing });
    if (before.paused !== paused) await services.sessions.record(session.id, paused ? 'media_paused' : 'media_resumed', 'caller', undefined, BOUNDED);
    if (before.facing !== facing && before.facing !== 'unknown') await services.sessions.record(session.id, 'camera_flipped', 'caller', { facing }, BOUNDED);
    services.sessions.tell(session.id, { name: 'caller:media', payload: { sessionId: session.id, paused, facing } });
    return {};
  },
});

/**
 * The caller stopped the video for good (consent to video withdrawn, issue #14): logged once as
 * `video_stopped`, the caller's media closed here, and the session's screens told the caller's
 * video is paused (so a console shows it dimmed, without a VIDEO LOST alarm). Chat, location and
 * photos go on.
 */
export const stopVideo = defineHandler({
  name: 'caller:stop-video',
  action: 'publish',
  budget: 'mediaState',
  logs: true,
  async handle({ peerId, session, services }) {
    const state = { paused: true, facing: 'unknown', stopped: true } as const;
    const before = await services.media.run(session, 'setCallerMedia', session.id, state);
    if (!before.stopped) await services.sessions.record(session.id, 'video_stopped', 'caller', undefined, BOUNDED);
    services.sessions.tell(session.id, { name: 'caller:media', payload: { sessionId: session.id, paused: true, facing: before.facing } });
    await services.media.run(session, 'closePeer', session.id, peerId);
    return {};
  },
});

export const reportLocation = defineHandler({
  name: 'caller:location',
  action: 'publish',
  budget: 'location',
  logs: true,
  async handle({ session, services }, { lat, lng, accuracy }) {
    const location = { lat, lng, accuracy, at: new Date().toISOString() };
    await services.sessions.record(
      session.id,
      'location',
      'caller',
      { lat, lng, accuracy },
      { ...BOUNDED, push: { name: 'caller:location', payload: { sessionId: session.id, location } } },
    );
    return {};
  },
});
