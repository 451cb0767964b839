import {
  FAILURE_CAUSES,
  FUNNEL_STAGES,
  wallClockAt,
  type FailureCause,
  type FunnelResponse,
  type FunnelStageFigures,
  type FunnelWeek,
} from '@sightline/shared';
import type { SessionFunnel } from './sessionFunnel.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * The funnel of many sessions (`GET /api/analytics/funnel`, shapes in shared/src/analytics/funnel.ts):
 * - `stages`: per stage, the sessions that reached it, and the median and 90th percentile (nearest
 *   rank) of the ms from each session's first `sms_sent` to its first event of that stage, over the
 *   sessions that reached both; `null` for `created` and for a stage no such session reached;
 * - `failures`: every cause, zero included; sessions still in progress are in no cause;
 * - `weeks`: every ISO week on the centre's calendar (`zone`, TZ: a week runs from Monday 00:00 on
 *   its clocks) from the first session's to the last's, empty ones at 0;
 *   `withVideo` counts sessions with a first frame;
 * - `synthetic`: sessions marked synthetic.
 */
export function funnelOf(sessions: readonly SessionFunnel[], zone = 'UTC'): FunnelResponse {
  const stages = FUNNEL_STAGES.map((name): FunnelStageFigures => {
    const reached = sessions.filter((s) => s.reached[name] !== undefined).length;
    if (name === 'created') return { name, reached, p50Ms: null, p90Ms: null };
    const times = sessions.flatMap((s) => {
      const from = s.reached.sms_sent;
      const to = s.reached[name];
      return from !== undefined && to !== undefined ? [to - from] : [];
    });
    return { name, reached, p50Ms: nearestRank(times, 50), p90Ms: nearestRank(times, 90) };
  });
  const failures = Object.fromEntries(FAILURE_CAUSES.map((c) => [c, 0])) as Record<FailureCause, number>;
  for (const s of sessions) if (s.cause) failures[s.cause]++;
  return { sessions: sessions.length, stages, failures, weeks: weeksOf(sessions, zone), synthetic: sessions.filter((s) => s.synthetic).length };
}

/**
 * The p-th percentile by the nearest-rank method: the value at rank ⌈p/100 · n⌉ (1-based) of the
 * sorted values, always one of them; `null` for none. (The definition: e.g. NIST/SEMATECH
 * e-Handbook's "percentile", or Wikipedia "Percentile", nearest-rank method.)
 */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * The ISO 8601 week (`2026-W49`) of an instant, ms since the epoch, in UTC: weeks run Monday to
 * Sunday, and week 1 is the one holding the year's first Thursday, so the week-year is that of the
 * week's Thursday.
 */
export function isoWeek(ms: number): string {
  const thursday = mondayOf(ms) + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK_MS);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Midnight UTC of the Monday of the week holding `ms`. */
function mondayOf(ms: number): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  return day - weekday * DAY_MS;
}

/** The date `zone`'s calendar shows at `ms`, as midnight UTC of that date (so UTC date arithmetic counts its days). */
function localDay(ms: number, zone: string): number {
  const w = wallClockAt(ms, zone);
  return Date.UTC(w.year, w.month - 1, w.day);
}

function weeksOf(sessions: readonly SessionFunnel[], zone: string): FunnelWeek[] {
  if (sessions.length === 0) return [];
  const created = sessions.map((s) => localDay(Date.parse(s.createdAt), zone));
  const byWeek = new Map<string, FunnelWeek>();
  // A loop, not Math.min(...created): spreading a centre's years of sessions overflows the call stack.
  let first = Infinity;
  let last = -Infinity;
  for (const t of created) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  for (let monday = mondayOf(first); monday <= last; monday += WEEK_MS) {
    const week = isoWeek(monday);
    byWeek.set(week, { week, sessions: 0, withVideo: 0 });
  }
  sessions.forEach((s, i) => {
    const w = byWeek.get(isoWeek(created[i]!))!;
    w.sessions++;
    if (s.outcome === 'video') w.withVideo++;
  });
  return [...byWeek.values()];
}
