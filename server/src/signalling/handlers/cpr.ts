import { CPR_METRONOME_BPM, cprWindowFits, inCprEpisode } from '@sightline/shared';
import { ConflictError } from '../../errors.js';
import { actorOf } from '../../sessions/access.js';
import { BOUNDED, type SessionService } from '../../sessions/SessionService.js';
import { defineHandler } from '../types.js';

/**
 * The CPR coach's messages (issue #15 §2). The dispatcher's console measures the compression rate
 * from the caller's video it already decodes; the server only logs what the console reports, and
 * only inside an episode (`cpr_started` … `cpr_ended`), so the log's windows always belong to one.
 * The log is the authority on whether an episode is open, wherever the session's other sockets are.
 */

async function episodeOpen(sessions: SessionService, sessionId: string): Promise<boolean> {
  return inCprEpisode(await sessions.events(sessionId));
}

/** CPR mode on or off: `cpr_started` / `cpr_ended` (reason `dispatcher`); a repeat logs nothing. */
export const cprMode = defineHandler({
  name: 'cpr:mode',
  action: 'control',
  budget: 'mediaState',
  logs: true,
  async handle({ principal, session, services }, { on }) {
    if ((await episodeOpen(services.sessions, session.id)) === on) return {};
    await services.sessions.record(session.id, on ? 'cpr_started' : 'cpr_ended', actorOf(principal), on ? undefined : { reason: 'dispatcher' }, BOUNDED);
    return {};
  },
});

/**
 * One measured window. @throws ConflictError outside an episode, or when it overlaps the episode's
 * last window (a second console measuring too, or windows reported late in a burst): the log keeps
 * each second of compressions once.
 */
export const cprWindow = defineHandler({
  name: 'cpr:window',
  action: 'control',
  budget: 'mediaState',
  logs: true,
  async handle({ principal, session, services }, { rate, quality, seconds, handsOffSeconds }) {
    const events = await services.sessions.events(session.id);
    if (!inCprEpisode(events)) throw new ConflictError('CPR mode is off: no window to log');
    if (!cprWindowFits(events, seconds, new Date()))
      throw new ConflictError(`a ${seconds} s window overlaps the last one logged: one console reports per episode`);
    await services.sessions.record(session.id, 'cpr_window', actorOf(principal), { rate, quality, seconds, handsOffSeconds }, BOUNDED);
    return {};
  },
});

/** A pause in compressions, with its length. @throws ConflictError outside an episode. */
export const cprPause = defineHandler({
  name: 'cpr:pause',
  action: 'control',
  budget: 'mediaState',
  logs: true,
  async handle({ principal, session, services }, { seconds }) {
    if (!(await episodeOpen(services.sessions, session.id))) throw new ConflictError('CPR mode is off: no pause to log');
    await services.sessions.record(session.id, 'cpr_pause', actorOf(principal), { seconds: Math.round(seconds * 10) / 10 }, BOUNDED);
    return {};
  },
});

/** The caller's metronome on or off at CPR_METRONOME_BPM: logged, and pushed to the caller's page and staff. */
export const cprMetronome = defineHandler({
  name: 'cpr:metronome',
  action: 'control',
  budget: 'mediaState',
  logs: true,
  async handle({ principal, session, services }, { on }) {
    const bpm = CPR_METRONOME_BPM;
    await services.sessions.record(
      session.id,
      'cpr_metronome',
      actorOf(principal),
      { on, bpm },
      { ...BOUNDED, push: { name: 'cpr:metronome', payload: { sessionId: session.id, on, bpm } } },
    );
    return {};
  },
});
