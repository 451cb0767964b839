import { CPR_TARGET_RATE, cprEpisodes, type SessionEvent } from '@sightline/shared';
import { t } from '../staff-i18n/index.js';
import { formatDuration } from './timelineModel.js';

/** A span of time in ms since the epoch. */
export interface Span {
  at: number;
  end: number;
}

/**
 * What the /audit CPR chart draws (issue #15 §2), from the session's log: the measured rate per
 * window, a gap wherever there was no reading (never a zero: "no reading" is not a rate), the
 * pauses with their length, the episodes and when the caller's metronome ran. Times in ms since the
 * epoch; rates in compressions per minute. A coaching aid's record, not a medical measurement.
 */
export interface CprChartModel {
  /** The time axis: the first episode (or metronome) start to the last end. */
  start: number;
  end: number;
  episodes: Span[];
  /**
   * The rate line, oldest first: `[t, rate]` at each window's middle, `[t, null]` for a window with
   * no reading, and a `null` at an episode's end so the line never joins two episodes.
   */
  line: [number, number | null][];
  /** Each pause as the span without compressions (logged at its end, with its length). */
  pauses: (Span & { seconds: number })[];
  metronome: Span[];
  summary: CprSummary;
}

export interface CprSummary {
  episodes: number;
  /** All episodes' time, ms. */
  durationMs: number;
  /** Windows with a reading, and of them inside the guidelines' 100–120/min. */
  readings: number;
  inTarget: number;
  noReading: number;
  /** Median of the readings, whole per minute; absent without any reading. */
  medianRate?: number;
  pauses: number;
  pauseSeconds: number;
}

/** The chart of a session's CPR episodes; undefined when the session had none (no chart then). */
export function cprChartModel(events: readonly SessionEvent[], sessionEnd?: string): CprChartModel | undefined {
  const found = cprEpisodes(events);
  if (!found.length) return undefined;
  const ms = (iso: string) => Date.parse(iso);
  const last = Math.max(...events.map((e) => ms(e.at)), sessionEnd ? ms(sessionEnd) : 0);
  const episodes = found.map((e) => ({ at: ms(e.startedAt), end: e.endedAt ? ms(e.endedAt) : last }));
  const line: CprChartModel['line'] = [];
  const pauses: CprChartModel['pauses'] = [];
  const rates: number[] = [];
  let noReading = 0;
  found.forEach((episode, i) => {
    for (const w of episode.windows) {
      const mid = Math.max(episodes[i]!.at, ms(w.at) - (w.seconds * 1000) / 2);
      line.push([mid, w.quality === 'ok' ? w.rate : null]);
      if (w.quality === 'ok' && w.rate !== null) rates.push(w.rate);
      else noReading++;
    }
    line.push([episodes[i]!.end, null]);
    for (const p of episode.pauses) pauses.push({ at: ms(p.at) - p.seconds * 1000, end: ms(p.at), seconds: p.seconds });
  });
  const metronome = metronomeSpans(events, last);
  const start = Math.min(...episodes.map((e) => e.at), ...metronome.map((m) => m.at));
  const end = Math.max(...episodes.map((e) => e.end), ...metronome.map((m) => m.end));
  return {
    start,
    end,
    episodes,
    line,
    pauses,
    metronome,
    summary: {
      episodes: episodes.length,
      durationMs: episodes.reduce((sum, e) => sum + (e.end - e.at), 0),
      readings: rates.length,
      inTarget: rates.filter((r) => r >= CPR_TARGET_RATE.min && r <= CPR_TARGET_RATE.max).length,
      noReading,
      ...(rates.length && { medianRate: Math.round(median(rates)) }),
      pauses: pauses.length,
      pauseSeconds: Math.round(pauses.reduce((sum, p) => sum + p.seconds, 0) * 10) / 10,
    },
  };
}

/** When the caller's metronome ran: from each `cpr_metronome` on to the next off, or the session's end. */
function metronomeSpans(events: readonly SessionEvent[], last: number): Span[] {
  const spans: Span[] = [];
  let on: number | undefined;
  for (const e of events) {
    const t = Date.parse(e.at);
    const starts = e.type === 'cpr_metronome' && e.details?.['on'] === true;
    if (starts && on === undefined) on = t;
    else if (!starts && on !== undefined && (e.type === 'cpr_metronome' || e.type === 'ended')) {
      spans.push({ at: on, end: t });
      on = undefined;
    }
  }
  if (on !== undefined) spans.push({ at: on, end: last });
  return spans;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The chart's text twin, for the caption and screen readers. */
export function cprSummaryText(s: CprSummary): string {
  return [
    t('audit.cpr.summary.episodes', { count: s.episodes, time: formatDuration(s.durationMs) }),
    s.medianRate === undefined ? t('audit.cpr.summary.noRate') : t('audit.cpr.summary.median', { rate: s.medianRate }),
    t('audit.cpr.summary.inTarget', { inTarget: s.inTarget, count: s.readings, min: CPR_TARGET_RATE.min, max: CPR_TARGET_RATE.max }),
    t('audit.cpr.summary.noReading', { count: s.noReading }),
    t('audit.cpr.summary.pauses', { count: s.pauses, seconds: s.pauseSeconds }),
  ].join(' · ');
}
