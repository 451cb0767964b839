import { describe, expect, it } from 'vitest';
import { NotFoundError, RateLimitedError } from '../errors.js';
import { sessionServices } from '../testing/sessionServices.js';
import { FirstFrames } from './FirstFrames.js';

/** A session of ann's whose caller went live with video producer `p1` (and an audio producer `a1`). */
async function liveSession() {
  const { sessions, invites } = sessionServices();
  const s = await invites.create('ann', { phone: '+4791234567' });
  for (const step of ['link_opened', 'consent_given', 'camera_granted', 'live'] as const) await sessions.transition(s.id, step, 'caller');
  await sessions.record(s.id, 'media_started', 'system', { kind: 'video', source: 'camera', producerId: 'p1' });
  await sessions.record(s.id, 'media_started', 'system', { kind: 'audio', source: 'microphone', producerId: 'a1' });
  const frames = async () => (await sessions.events(s.id)).filter((e) => e.type === 'first_frame');
  return { sessions, id: s.id, frames };
}

describe('FirstFrames: the console reports a media start’s first frame, logged once', () => {
  it('logs first_frame once per producer, with how long after media_started and, the first time, after the SMS', async () => {
    const { sessions, id, frames } = await liveSession();
    const ff = new FirstFrames(sessions);
    expect(await ff.report(id, 'p1', 'dispatcher:ann')).toEqual({ logged: true });
    expect(await ff.report(id, 'p1', 'dispatcher:ann')).toEqual({ logged: false });
    const [logged] = await frames();
    expect(logged).toMatchObject({ actor: 'dispatcher:ann', details: { producerId: 'p1' } });
    expect(logged!.details!['msSinceMediaStarted']).toBeGreaterThanOrEqual(0);
    expect(logged!.details!['msSinceSmsSent']).toBeGreaterThanOrEqual(0);

    // A new media start (a reload, a network change): its own first frame, without the SMS figure.
    await sessions.record(id, 'media_started', 'system', { kind: 'video', source: 'camera', producerId: 'p2' });
    expect(await ff.report(id, 'p2', 'dispatcher:ann')).toEqual({ logged: true });
    const second = (await frames())[1]!;
    expect(second.details).toMatchObject({ producerId: 'p2' });
    expect(second.details).not.toHaveProperty('msSinceSmsSent');
  });

  it('logs once however many consoles report at the same moment (two FirstFrames read one log: a tab each)', async () => {
    const { sessions, id, frames } = await liveSession();
    const ff = new FirstFrames(sessions);
    const results = await Promise.all(Array.from({ length: 6 }, () => ff.report(id, 'p1', 'dispatcher:ann')));
    expect(results.filter((r) => r.logged)).toHaveLength(1);
    expect(await frames()).toHaveLength(1);
  });

  it("refuses a producer that is not the session's caller video: audio, unknown (a show-me picture has no media_started)", async () => {
    const { sessions, id, frames } = await liveSession();
    const ff = new FirstFrames(sessions, { waitMs: 300, pollMs: 50 });
    await expect(ff.report(id, 'a1', 'dispatcher:ann')).rejects.toBeInstanceOf(NotFoundError);
    await expect(ff.report(id, 'show-me-producer', 'dispatcher:ann')).rejects.toBeInstanceOf(NotFoundError);
    expect(await frames()).toHaveLength(0);
  });

  it('waits for a media_started still being written: a frame can decode before its start is on the log', async () => {
    const { sessions, id, frames } = await liveSession();
    const ff = new FirstFrames(sessions, { waitMs: 2000, pollMs: 20 });
    const report = ff.report(id, 'p3', 'dispatcher:ann');
    await new Promise((r) => setTimeout(r, 100));
    await sessions.record(id, 'media_started', 'system', { kind: 'video', source: 'camera', producerId: 'p3' });
    expect(await report).toEqual({ logged: true });
    expect((await frames()).map((e) => e.details!['producerId'])).toEqual(['p3']);
  });

  it('never holds a real report behind reports of producers that do not exist, and times it when it came', async () => {
    const { sessions, id, frames } = await liveSession();
    const ff = new FirstFrames(sessions, { waitMs: 1500, pollMs: 50 });
    const bogus = Array.from({ length: 3 }, (_, i) => ff.report(id, `made-up-${i}`, 'dispatcher:ann').catch((e: unknown) => e));
    const started = Date.now();
    expect(await ff.report(id, 'p1', 'dispatcher:ann')).toEqual({ logged: true });
    expect(Date.now() - started, 'not after the bogus ones gave up').toBeLessThan(1000);
    for (const e of await Promise.all(bogus)) expect(e).toBeInstanceOf(NotFoundError);
    expect(await frames()).toHaveLength(1);
  });

  it('refuses more than a few reports of one session waiting at once (429), so a console cannot pile them up', async () => {
    const { sessions, id } = await liveSession();
    const ff = new FirstFrames(sessions, { waitMs: 500, pollMs: 50 });
    const waits = Array.from({ length: 8 }, (_, i) => ff.report(id, `made-up-${i}`, 'dispatcher:ann').catch((e: unknown) => e));
    const outcomes = await Promise.all(waits);
    expect(outcomes.filter((e) => e instanceof RateLimitedError).length).toBeGreaterThan(0);
    expect(outcomes.filter((e) => e instanceof NotFoundError).length).toBeLessThanOrEqual(4);
  });
});
