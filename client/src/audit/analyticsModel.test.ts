import { FAILURE_CAUSES, FUNNEL_STAGES, type FunnelResponse } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { analyticsModel, defaultRange, formatMs } from './analyticsModel.js';

const answer: FunnelResponse = {
  sessions: 10,
  synthetic: 4,
  stages: FUNNEL_STAGES.map((name, i) => ({ name, reached: 10 - i, p50Ms: i < 2 ? null : i * 5000, p90Ms: i < 2 ? null : i * 9000 })),
  failures: {
    sms_failed: 1,
    never_opened: 2,
    consent_declined: 0,
    camera_denied: 1,
    browser_unsupported: 0,
    network_failure: 0,
    ended_before_video: 0,
    other: 0,
  },
  weeks: [
    { week: '2026-W47', sessions: 6, withVideo: 3 },
    { week: '2026-W48', sessions: 4, withVideo: 1 },
  ],
};

describe('analyticsModel', () => {
  it('names stages and causes in words, every cause in order, with shares and times of the answer', () => {
    const m = analyticsModel(answer, { from: '2026-10-06', to: '2026-12-01' });
    expect(m.stages.map((s) => s.label)).toEqual([
      'Session created',
      'SMS sent',
      'SMS delivered',
      'Link opened',
      'Consent given',
      'Camera allowed',
      'Video on screen',
    ]);
    expect(m.stages[6]).toMatchObject({ stage: 'first_frame', reached: 4, share: '40 %', p50Ms: 30_000, p90Ms: 54_000 });
    expect(m.causes.map((c) => c.cause)).toEqual([...FAILURE_CAUSES]);
    expect(m.causes.find((c) => c.cause === 'never_opened')).toMatchObject({ label: 'Link never opened', count: 2 });
    expect(m.summary).toBe('10 sessions from 2026-10-06 to 2026-12-01, whole centre: 4 with video (40 %).');
    expect(analyticsModel(answer, { from: 'a', to: 'b', dispatcher: 'kari' }).summary).toContain('dispatcher kari');
    expect(m.funnelAlt).toContain('Video on screen 4 (40 %), median 30 s, 90th percentile 54 s after the SMS');
    expect(m.failuresAlt).toBe('Failure causes chart. SMS failed 1; Link never opened 2; Camera refused 1; 4 sessions with video.');
    expect(m.uptakeAlt).toBe('Uptake chart over 2 weeks: 10 sessions, 4 with video.');
    expect(analyticsModel({ ...answer, weeks: answer.weeks.slice(0, 1) }, { from: 'a', to: 'b' }).uptakeAlt).toBe(
      'Uptake chart over 1 week: 6 sessions, 3 with video.',
    );
  });

  it('defaults to the last 8 weeks as whole days, and says durations for people', () => {
    expect(defaultRange(new Date('2026-12-01T10:00:00Z'), 'UTC')).toEqual({ from: '2026-10-06', to: '2026-12-01' });
    // 23:30 UTC on 30 November is already 1 December in Oslo: the centre's today.
    expect(defaultRange(new Date('2026-11-30T23:30:00Z'), 'Europe/Oslo')).toEqual({ from: '2026-10-06', to: '2026-12-01' });
    expect([null, 850, 34_400, 125_000].map(formatMs)).toEqual(['—', '850 ms', '34 s', '2 min 05 s']);
  });
});
