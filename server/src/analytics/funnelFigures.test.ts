import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILURE_CAUSES, FUNNEL_STAGES, type FailureCause, type FunnelStage } from '@sightline/shared';
import { funnelOf, isoWeek, nearestRank } from './funnelFigures.js';
import type { SessionFunnel } from './sessionFunnel.js';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');

/** A session created at T0 + `day` days, with each stage reached `seconds[stage]` after its SMS went out. */
function session(seconds: Partial<Record<FunnelStage, number>>, more: Partial<SessionFunnel> = {}, day = 0): SessionFunnel {
  const created = T0 + day * 86_400_000;
  const reached: SessionFunnel['reached'] = { created };
  for (const [stage, s] of Object.entries(seconds)) reached[stage as FunnelStage] = created + 1000 + s * 1000;
  return { createdAt: new Date(created).toISOString(), reached, outcome: reached.first_frame ? 'video' : 'in_progress', synthetic: false, ...more };
}

describe('nearestRank', () => {
  it('takes the value at rank ⌈p/100 · n⌉ of the sorted values (nearest-rank method)', () => {
    expect(nearestRank([15, 20, 35, 40, 50], 30)).toBe(20);
    expect(nearestRank([15, 20, 35, 40, 50], 40)).toBe(20);
    expect(nearestRank([15, 20, 35, 40, 50], 50)).toBe(35);
    expect(nearestRank([15, 20, 35, 40, 50], 100)).toBe(50);
    expect(nearestRank([3, 1, 2, 4], 50)).toBe(2);
    expect(nearestRank([7], 90)).toBe(7);
    expect(nearestRank([], 50)).toBeNull();
  });

  it('is always one of the values, and p50 ≤ p90', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e6, max: 1e9 }), { minLength: 1 }), (values) => {
        const p50 = nearestRank(values, 50)!;
        const p90 = nearestRank(values, 90)!;
        expect(values).toContain(p50);
        expect(p50).toBeLessThanOrEqual(p90);
      }),
    );
  });
});

describe('isoWeek', () => {
  it.each([
    ['2026-11-30T00:00:00.000Z', '2026-W49'],
    ['2026-11-29T23:59:59.999Z', '2026-W48'],
    ['2026-01-01T12:00:00.000Z', '2026-W01'],
    ['2021-01-03T12:00:00.000Z', '2020-W53'],
    ['2024-12-30T00:00:00.000Z', '2025-W01'],
    ['2020-12-31T00:00:00.000Z', '2020-W53'],
  ])('puts %s in %s (Monday to Sunday, UTC)', (at, week) => {
    expect(isoWeek(Date.parse(at))).toBe(week);
  });
});

describe('funnelOf: the funnel of many sessions', () => {
  it('counts each stage reached and times each from the first SMS sent, p50 and p90 by nearest rank', () => {
    const sessions = [
      session({ sms_sent: 0, sms_delivered: 2, link_opened: 20, consent_given: 30, camera_granted: 32, first_frame: 40 }),
      session({ sms_sent: 0, sms_delivered: 4, link_opened: 60, consent_given: 70, camera_granted: 71, first_frame: 75 }),
      session({ sms_sent: 0, sms_delivered: 3, link_opened: 10 }, { outcome: 'failed', cause: 'consent_declined' }),
      session({ sms_sent: 0 }, { outcome: 'failed', cause: 'never_opened' }),
      session({}, { outcome: 'failed', cause: 'sms_failed' }),
    ];
    const f = funnelOf(sessions);
    expect(f.sessions).toBe(5);
    expect(f.stages).toEqual([
      { name: 'created', reached: 5, p50Ms: null, p90Ms: null },
      { name: 'sms_sent', reached: 4, p50Ms: 0, p90Ms: 0 },
      { name: 'sms_delivered', reached: 3, p50Ms: 3000, p90Ms: 4000 },
      { name: 'link_opened', reached: 3, p50Ms: 20_000, p90Ms: 60_000 },
      { name: 'consent_given', reached: 2, p50Ms: 30_000, p90Ms: 70_000 },
      { name: 'camera_granted', reached: 2, p50Ms: 32_000, p90Ms: 71_000 },
      { name: 'first_frame', reached: 2, p50Ms: 40_000, p90Ms: 75_000 },
    ]);
    expect(f.failures).toEqual({ ...Object.fromEntries(FAILURE_CAUSES.map((c) => [c, 0])), consent_declined: 1, never_opened: 1, sms_failed: 1 });
    expect(f.weeks).toEqual([{ week: '2026-W49', sessions: 5, withVideo: 2 }]);
    expect(f.synthetic).toBe(0);
  });

  it('answers an empty range with zeros, nulls, every cause at 0 and no weeks', () => {
    const f = funnelOf([]);
    expect(f.sessions).toBe(0);
    expect(f.stages.map((s) => s.name)).toEqual(FUNNEL_STAGES);
    for (const s of f.stages) expect(s).toMatchObject({ reached: 0, p50Ms: null, p90Ms: null });
    expect(Object.keys(f.failures)).toEqual(FAILURE_CAUSES);
    expect(f.weeks).toEqual([]);
  });

  it('lists every week from the first session to the last, empty ones at 0, and counts synthetic sessions', () => {
    const f = funnelOf([
      session({ sms_sent: 0, first_frame: 30 }, { synthetic: true }, 0),
      session({ sms_sent: 0 }, { synthetic: true }, 15),
      session({ sms_sent: 0, first_frame: 20 }, {}, 1),
    ]);
    expect(f.weeks).toEqual([
      { week: '2026-W49', sessions: 2, withVideo: 2 },
      { week: '2026-W50', sessions: 0, withVideo: 0 },
      { week: '2026-W51', sessions: 1, withVideo: 0 },
    ]);
    expect(f.synthetic).toBe(2);
  });

  it("counts weeks on the centre's calendar: Monday 00:30 in Oslo is Sunday night in UTC, yet its new week", () => {
    const mondayOslo = { ...session({ sms_sent: 0 }), createdAt: '2026-11-29T23:30:00.000Z' };
    expect(funnelOf([mondayOslo]).weeks.map((w) => w.week)).toEqual(['2026-W48']);
    expect(funnelOf([mondayOslo], 'Europe/Oslo').weeks.map((w) => w.week)).toEqual(['2026-W49']);
  });

  it("takes a large centre's years of sessions (200,000 in one range) without overflowing the stack", () => {
    const many = Array.from({ length: 200_000 }, (_, i) => session({ sms_sent: 0, first_frame: 30 }, {}, i % 700));
    const f = funnelOf(many);
    expect(f.sessions).toBe(200_000);
    expect(f.weeks.reduce((n, w) => n + w.sessions, 0)).toBe(200_000);
  });

  it('holds for any sessions: causes sum to the failed ones, stages within sessions, weeks sum to sessions', () => {
    const stageSeconds = fc.dictionary(fc.constantFrom(...FUNNEL_STAGES.slice(1)), fc.nat({ max: 3600 }));
    const one = fc
      .tuple(stageSeconds, fc.constantFrom<FailureCause | undefined>(undefined, ...FAILURE_CAUSES), fc.boolean(), fc.nat({ max: 60 }))
      .map(([seconds, cause, synthetic, day]) => {
        const s = session(seconds, { synthetic }, day);
        return s.outcome === 'video' || !cause ? s : { ...s, outcome: 'failed' as const, cause };
      });
    fc.assert(
      fc.property(fc.array(one, { maxLength: 40 }), (sessions) => {
        const f = funnelOf(sessions);
        const failed = sessions.filter((s) => s.outcome === 'failed').length;
        expect(Object.values(f.failures).reduce((a, b) => a + b, 0)).toBe(failed);
        for (const s of f.stages) {
          expect(s.reached).toBeLessThanOrEqual(f.sessions);
          if (s.p50Ms !== null) expect(s.p50Ms).toBeLessThanOrEqual(s.p90Ms!);
        }
        expect(f.weeks.reduce((a, w) => a + w.sessions, 0)).toBe(sessions.length);
        expect(f.weeks.reduce((a, w) => a + w.withVideo, 0)).toBe(sessions.filter((s) => s.outcome === 'video').length);
      }),
    );
  });
});
