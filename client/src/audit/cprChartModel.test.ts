import type { SessionEvent } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { cprChartModel, cprSummaryText } from './cprChartModel.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
let seq = 0;
const ev = (sec: number, type: SessionEvent['type'], details?: Record<string, unknown>): SessionEvent => ({
  seq: ++seq,
  type,
  at: new Date(T0 + sec * 1000).toISOString(),
  actor: 'dispatcher:ann',
  ...(details && { details }),
});
const ok = (sec: number, rate: number) => ev(sec, 'cpr_window', { rate, quality: 'ok', seconds: 10, handsOffSeconds: 0 });
const none = (sec: number) => ev(sec, 'cpr_window', { rate: null, quality: 'none', seconds: 10, handsOffSeconds: 4 });
const t = (sec: number) => T0 + sec * 1000;

/** Two episodes: 100–150 s (metronome from 105 s, a 3.2 s pause, a window without reading) and 200–230 s (still running at the end). */
const events = [
  ev(0, 'created'),
  ev(40, 'live'),
  ok(90, 99), // before any episode: never logged by the server, ignored here
  ev(100, 'cpr_started'),
  ev(105, 'cpr_metronome', { on: true, bpm: 110 }),
  ok(110, 96),
  ok(120, 108),
  ev(124, 'cpr_pause', { seconds: 3.2 }),
  none(130),
  ok(140, 124),
  ev(150, 'cpr_ended', { reason: 'dispatcher' }),
  ev(160, 'cpr_metronome', { on: false, bpm: 110 }),
  ev(200, 'cpr_started'),
  ev(205, 'cpr_metronome', { on: true, bpm: 110 }),
  ok(210, 112),
  none(220),
  ev(226, 'cpr_pause', { seconds: 2.5 }),
  ev(230, 'ended', { reason: 'dispatcher' }),
];

describe('cprChartModel', () => {
  it('is undefined for a session without a CPR episode (no chart then)', () => {
    expect(cprChartModel([ev(0, 'created'), ok(5, 110)])).toBeUndefined();
  });

  it('puts each reading at its window middle, a gap (never a zero) for no reading, and breaks the line between episodes', () => {
    const m = cprChartModel(events)!;
    expect(m.episodes).toEqual([
      { at: t(100), end: t(150) },
      { at: t(200), end: t(230) },
    ]);
    expect(m.line).toEqual([
      [t(105), 96],
      [t(115), 108],
      [t(125), null],
      [t(135), 124],
      [t(150), null],
      [t(205), 112],
      [t(215), null],
      [t(230), null],
    ]);
    expect(m.line.filter(([, r]) => r === 0)).toEqual([]);
  });

  it('marks each pause as the span without compressions, and the metronome from on to off or the end', () => {
    const m = cprChartModel(events)!;
    expect(m.pauses).toEqual([
      { at: t(120.8), end: t(124), seconds: 3.2 },
      { at: t(223.5), end: t(226), seconds: 2.5 },
    ]);
    expect(m.metronome).toEqual([
      { at: t(105), end: t(160) },
      { at: t(205), end: t(230) },
    ]);
    expect([m.start, m.end]).toEqual([t(100), t(230)]);
  });

  it('sums it up: episodes, median rate, readings in the 100–120 target, no-reading windows, pauses and their total', () => {
    const s = cprChartModel(events)!.summary;
    expect(s).toEqual({ episodes: 2, durationMs: 80_000, readings: 4, inTarget: 2, noReading: 2, medianRate: 110, pauses: 2, pauseSeconds: 5.7 });
    expect(cprSummaryText(s)).toBe(
      '2 CPR episodes, 1:20 in all · median rate 110/min · 2 of 4 readings in target (100–120/min) · 2 windows with no reading · 2 pauses, 5.7 s in all',
    );
  });

  it('runs an open episode to the last event, and says so when there was no reading at all', () => {
    const m = cprChartModel([ev(0, 'cpr_started'), none(10), ev(12, 'chat', { text: 'x' })])!;
    expect(m.episodes).toEqual([{ at: t(0), end: t(12) }]);
    expect(m.summary.medianRate).toBeUndefined();
    expect(cprSummaryText(m.summary)).toContain('no rate reading');
  });
});
