import { FAILURE_CAUSES, wallClockAt, type FailureCause, type FunnelResponse, type FunnelStage } from '@sightline/shared';
import { t, timeZone, type TextKey } from '../staff-i18n/index.js';

/** A text of the analytics view (the staff catalogue's `audit.analytics`). */
export const at = (key: string, params?: Record<string, string | number>) => t(`audit.analytics.${key}` as TextKey, params);

/** One stage as the chart and its table show it; times in ms from the SMS being sent, null where none. */
export interface StageRow {
  stage: FunnelStage;
  label: string;
  reached: number;
  /** Of all sessions in the range, e.g. "82 %". */
  share: string;
  p50Ms: number | null;
  p90Ms: number | null;
}

export interface CauseRow {
  cause: FailureCause;
  label: string;
  count: number;
}

/** What the analytics view draws from one funnel answer: rows for the charts and their tables, and words. */
export interface AnalyticsModel {
  sessions: number;
  synthetic: number;
  stages: StageRow[];
  /** Every cause, in the contract's order, zeros included. */
  causes: CauseRow[];
  weeks: FunnelResponse['weeks'];
  summary: string;
  funnelAlt: string;
  failuresAlt: string;
  uptakeAlt: string;
}

const DAY = 86_400_000;

/**
 * The default range: the last 8 weeks, as whole days on the centre's calendar (`from` 56 days before
 * today there, `to` today; the API takes a bare date as the centre's whole day).
 */
export function defaultRange(now = new Date(), zone = timeZone()): { from: string; to: string } {
  const w = wallClockAt(now, zone);
  const today = Date.UTC(w.year, w.month - 1, w.day);
  return { from: isoDay(today - 56 * DAY), to: isoDay(today) };
}

function isoDay(utcMidnight: number): string {
  return new Date(utcMidnight).toISOString().slice(0, 10);
}

export function analyticsModel(r: FunnelResponse, range: { from: string; to: string; dispatcher?: string }): AnalyticsModel {
  const stages = r.stages.map((s) => ({
    stage: s.name,
    label: at(`stages.${s.name}`),
    reached: s.reached,
    share: percent(s.reached, r.sessions),
    p50Ms: s.p50Ms,
    p90Ms: s.p90Ms,
  }));
  const causes = FAILURE_CAUSES.map((cause) => ({ cause, label: at(`causes.${cause}`), count: r.failures[cause] ?? 0 }));
  const video = stages.find((s) => s.stage === 'first_frame')?.reached ?? 0;
  const part = (s: StageRow) =>
    at(s.p50Ms === null ? 'funnelPart' : 'funnelTimes', { stage: s.label, reached: s.reached, share: s.share, p50: formatMs(s.p50Ms), p90: formatMs(s.p90Ms) });
  const failed = causes.filter((c) => c.count > 0).map((c) => `${c.label} ${c.count}`);
  const who = range.dispatcher ? at('forDispatcher', { name: range.dispatcher }) : at('wholeCentre');
  return {
    sessions: r.sessions,
    synthetic: r.synthetic,
    stages,
    causes,
    weeks: r.weeks,
    summary: at('summary', { count: r.sessions, from: range.from, to: range.to, who, video, share: percent(video, r.sessions) }),
    funnelAlt: at('funnelAlt', { parts: stages.map(part).join('; ') }),
    failuresAlt: at('failuresAlt', { parts: failed.length ? failed.join('; ') : at('none'), video }),
    uptakeAlt: at('uptakeAlt', {
      count: r.weeks.length,
      sessions: r.weeks.reduce((n, w) => n + w.sessions, 0),
      video: r.weeks.reduce((n, w) => n + w.withVideo, 0),
    }),
  };
}

/** `part` of `whole` as a whole percentage ("0 %" of nothing). */
export function percent(part: number, whole: number): string {
  return `${whole ? Math.round((part / whole) * 100) : 0} %`;
}

/** A duration for people: "—" for none, "850 ms", "34 s", "2 min 05 s". */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
