import { BOUNDED } from '../../sessions/SessionService.js';
import { defineHandler } from '../types.js';

/** The caller page reports the outcome of its camera request, so the console can say why there is no video. */
export const reportCamera = defineHandler({
  name: 'caller:camera',
  action: 'publish',
  budget: 'mediaState',
  logs: true,
  async handle({ session, services }, { granted, reason }) {
    await services.sessions.transition(session.id, granted ? 'camera_granted' : 'camera_denied', 'caller', reason ? { reason } : undefined);
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
