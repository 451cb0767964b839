import { describe, expect, it } from 'vitest';
import { cprEpisodes, cprWindowFits, inCprEpisode, metronomeState } from './cpr.js';
import type { SessionEvent, SessionEventType } from './lifecycle.js';

let seq = 0;
const ev = (type: SessionEventType, details?: Record<string, unknown>): SessionEvent => ({
  seq: ++seq,
  type,
  at: new Date(Date.UTC(2026, 11, 1, 6, 0, seq)).toISOString(),
  actor: 'dispatcher:alice',
  ...(details && { details }),
});

describe('cprEpisodes', () => {
  it('groups windows and pauses into their episode, and ignores what falls outside one', () => {
    const events = [
      ev('live'),
      ev('cpr_window', { rate: 99, quality: 'ok', seconds: 10, handsOffSeconds: 0 }),
      ev('cpr_started'),
      ev('cpr_window', { rate: 108, quality: 'ok', seconds: 10, handsOffSeconds: 0 }),
      ev('cpr_pause', { seconds: 3.2 }),
      ev('cpr_window', { rate: null, quality: 'none', seconds: 10, handsOffSeconds: 3.2 }),
      ev('cpr_ended', { reason: 'dispatcher' }),
      ev('cpr_pause', { seconds: 9 }),
      ev('cpr_started'),
    ];
    const episodes = cprEpisodes(events);
    expect(episodes).toHaveLength(2);
    expect(episodes[0]!.windows.map((w) => [w.rate, w.quality])).toEqual([
      [108, 'ok'],
      [null, 'none'],
    ]);
    expect(episodes[0]!.pauses.map((p) => p.seconds)).toEqual([3.2]);
    expect(episodes[0]!.endedAt).toBe(events[6]!.at);
    expect(episodes[1]!.endedAt).toBeUndefined();
    expect(inCprEpisode(events)).toBe(true);
  });

  it('closes an open episode when the session ends, and a repeated start opens nothing new', () => {
    const events = [ev('cpr_started'), ev('cpr_started'), ev('ended', { reason: 'dispatcher' })];
    const episodes = cprEpisodes(events);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]!.endedAt).toBe(events[2]!.at);
    expect(inCprEpisode(events)).toBe(false);
    expect(inCprEpisode([])).toBe(false);
  });
});

describe('metronomeState', () => {
  it('follows the last cpr_metronome, and is off with none or once the session has ended', () => {
    expect(metronomeState([ev('live')])).toEqual({ on: false, bpm: 110 });
    expect(metronomeState([ev('cpr_metronome', { on: true, bpm: 110 })])).toEqual({ on: true, bpm: 110 });
    expect(metronomeState([ev('cpr_metronome', { on: true, bpm: 110 }), ev('cpr_metronome', { on: false, bpm: 110 })]).on).toBe(false);
    expect(metronomeState([ev('cpr_metronome', { on: true, bpm: 110 }), ev('ended')]).on).toBe(false);
  });
});

describe('cprWindowFits', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 7, 0, s));
  const event = (type: SessionEventType, s: number, details?: Record<string, unknown>): SessionEvent => ({
    seq: s,
    type,
    at: at(s).toISOString(),
    actor: 'dispatcher:alice',
    ...(details && { details }),
  });
  const started = [event('cpr_started', 0)];
  const window10 = { rate: 110, quality: 'ok', seconds: 10, handsOffSeconds: 0 };

  it('takes a window once its length has passed since the start or the last window, less 2 s of slack', () => {
    expect(cprWindowFits(started, 10, at(10))).toBe(true);
    expect(cprWindowFits(started, 10, at(8))).toBe(true);
    expect(cprWindowFits(started, 10, at(7))).toBe(false);
    const one = [...started, event('cpr_window', 10, window10)];
    expect(cprWindowFits(one, 10, at(20))).toBe(true);
    // A second console's window 3 s after the first one's: the same compressions counted twice.
    expect(cprWindowFits(one, 10, at(13))).toBe(false);
    // The shorter last window of a stopping console fits.
    expect(cprWindowFits(one, 4, at(14))).toBe(true);
  });

  it('takes none outside an episode', () => {
    expect(cprWindowFits([], 10, at(60))).toBe(false);
    expect(cprWindowFits([...started, event('cpr_ended', 30)], 10, at(60))).toBe(false);
  });
});
