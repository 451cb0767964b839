import type { RecordingInfo, SessionEvent } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { formatDuration, summaryText, timelineModel } from './timelineModel.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
let seq = 0;
const ev = (sec: number, type: SessionEvent['type'], actor = 'system', details?: Record<string, unknown>): SessionEvent => ({
  seq: ++seq,
  type,
  at: new Date(T0 + sec * 1000).toISOString(),
  actor,
  ...(details && { details }),
});
const rec = (segment: number, fromSec: number, toSec: number, status: RecordingInfo['status'], bytes = 1000): RecordingInfo => ({
  name: `segment-000${segment}.mkv`,
  segment,
  startedAt: new Date(T0 + fromSec * 1000).toISOString(),
  endedAt: new Date(T0 + toSec * 1000).toISOString(),
  bytes,
  durationSec: toSec - fromSec,
  codecs: ['h264'],
  status,
});

/** A call: SMS, opened, consent, camera, live at 40 s; paused 60–70 s; reconnecting 100–110 s; ended at 200 s; viewed next day. */
const events = [
  ev(0, 'created', 'dispatcher:ann'),
  ev(2, 'sms_sent'),
  ev(20, 'link_opened', 'caller'),
  ev(25, 'consent_given', 'caller'),
  ev(30, 'camera_granted', 'caller'),
  ev(40, 'live'),
  ev(50, 'chat', 'caller', { from: 'caller', text: 'Han puster ikke' }),
  ev(55, 'location', 'caller', { lat: 59.9127, lng: 10.7461, accuracy: 12 }),
  ev(60, 'media_paused', 'caller'),
  ev(70, 'media_resumed', 'caller'),
  ev(100, 'reconnecting', 'system', { reason: 'caller network lost' }),
  ev(110, 'live'),
  ev(200, 'ended', 'dispatcher:ann', { reason: 'dispatcher' }),
  ev(86_400, 'supervisor_viewed', 'supervisor:sue', { what: 'session' }),
];
const recordings = [rec(1, 45, 95, 'finished'), rec(2, 120, 121, 'failed', 0)];

describe('the session timeline model', () => {
  const model = timelineModel(events, recordings, events[0]!.at, events[12]!.at);
  const lane = (l: string) => model.marks.filter((m) => m.lane === l);

  it('spans the call itself, not the supervisor looking at it a day later', () => {
    expect(model.start).toBe(T0);
    expect(model.end).toBe(T0 + 200_000);
  });

  it('puts the lifecycle on the progress lane, with the end reason', () => {
    expect(lane('progress').map((m) => m.label)).toEqual(['SMS sent', 'Link opened', 'Consent', 'Camera granted', 'Live', 'Live', 'Ended: dispatcher']);
  });

  it('draws video as live, paused and reconnecting spans that end with the session', () => {
    expect(lane('video').map((m) => [m.kind, (m.at - T0) / 1000, (m.end! - T0) / 1000])).toEqual([
      ['live', 40, 60],
      ['paused', 60, 70],
      ['live', 70, 100],
      ['reconnecting', 100, 110],
      ['live', 110, 200],
    ]);
  });

  it('shows segments as playable or failed, dialogue, location, and access apart', () => {
    expect(lane('recording').map((m) => [m.kind, m.recording])).toEqual([
      ['playable', 'segment-0001.mkv'],
      ['failed', 'segment-0002.mkv'],
    ]);
    expect(lane('dialogue').map((m) => m.label)).toEqual(['caller: Han puster ikke']);
    expect(lane('location').map((m) => m.label)).toEqual(['Location 59.91270, 10.74610 ±12 m']);
    expect(lane('access').map((m) => m.label)).toEqual(['Viewed by supervisor:sue (session)']);
  });

  it('sums up: time to video, time live, pauses, reconnects, recordings playable', () => {
    expect(model.summary).toEqual({ timeToVideoMs: 40_000, liveMs: 140_000, pauses: 1, reconnects: 1, recordings: { playable: 1, total: 2 } });
    expect(summaryText(model.summary)).toBe('Time to video 0:40 · Live 2:20 · 1 pause · 1 reconnect · Recordings 1 of 2 playable');
  });

  it('a session that never went live has no time to video and no video spans', () => {
    const never = timelineModel(
      [ev(0, 'created'), ev(2, 'sms_sent'), ev(900, 'ended', 'system', { reason: 'invite_expired' })],
      [],
      new Date(T0).toISOString(),
    );
    expect(never.summary).toEqual({ liveMs: 0, pauses: 0, reconnects: 0, recordings: { playable: 0, total: 0 } });
    expect(never.marks.filter((m) => m.lane === 'video')).toEqual([]);
    expect(summaryText(never.summary)).toBe('Time to video — · Live 0:00 · 0 pauses · 0 reconnects · Recordings 0 of 0 playable');
  });

  it('formats durations as a dispatcher reads them', () => {
    expect([formatDuration(42_000), formatDuration(247_000), formatDuration(3_909_000)]).toEqual(['0:42', '4:07', '1:05:09']);
  });
});
