import { instantAt, wallClockAt, type AnalyticsQuery } from '@sightline/shared';
import { ValidationError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { actorOf } from '../sessions/access.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { SessionFilter } from '../store/Store.js';
import { funnelOf } from './funnelFigures.js';
import type { Pseudonyms } from './Pseudonyms.js';
import { sessionFunnel } from './sessionFunnel.js';
import { sessionsCsv, type CsvSession } from './sessionsCsv.js';

/** The supervisor's access-log record types of the two routes. */
export type AnalyticsAccess = 'analytics_viewed' | 'analytics_exported';

export interface AnalyticsDeps {
  sessions: Pick<SessionService, 'list' | 'events'>;
  /** The pseudonyms of the export (Pseudonyms.opener). */
  pseudonyms(): Promise<Pseudonyms>;
  /** Writes the supervisor's access to the access log (AuditLogs.appendAccess), before the answer leaves. */
  accessed(actor: string, type: AnalyticsAccess, details: { query: AnalyticsQuery; sessions: number }): Promise<void>;
  /** The centre's time zone (TZ): a bare date is its day there, and weeks run on its calendar. */
  timeZone?: string;
}

const supervisor = { staff: ['supervisor'] } as const;

/** Logs read at once while building an answer: enough to keep the disk busy, few enough file handles. */
const READ_AHEAD = 8;

/**
 * The time-to-video analytics (issue #16 §1), supervisors only, each access in the access log like
 * the session search (`analytics_viewed`, `analytics_exported`, details: the query and how many
 * sessions it covered):
 * - `GET /api/analytics/funnel?from&to&dispatcher` → FunnelResponse (funnelFigures.ts);
 * - `GET /api/analytics/sessions.csv?from&to&dispatcher` → text/csv attachment (sessionsCsv.ts).
 * The sessions are those created in the range (rangeOf), each read from its log (sessionFunnel.ts).
 */
export function analyticsRoutes(deps: AnalyticsDeps) {
  const load = async (query: AnalyticsQuery): Promise<CsvSession[]> => {
    const filter: SessionFilter = { ...rangeOf(query, deps.timeZone), ...(query.dispatcher !== undefined && { dispatcher: query.dispatcher }) };
    const records = await deps.sessions.list(filter);
    const out: CsvSession[] = new Array(records.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < records.length; i = next++) {
        const s = records[i]!;
        out[i] = { id: s.id, dispatcher: s.dispatcher, funnel: sessionFunnel(await deps.sessions.events(s.id)) };
      }
    };
    await Promise.all(Array.from({ length: READ_AHEAD }, worker));
    return out;
  };
  return [
    defineRoute('GET /api/analytics/funnel', {
      access: supervisor,
      async handle({ query, principal }) {
        const sessions = await load(query);
        await deps.accessed(actorOf(principal), 'analytics_viewed', { query, sessions: sessions.length });
        return funnelOf(
          sessions.map((s) => s.funnel),
          deps.timeZone,
        );
      },
    }),
    defineRoute('GET /api/analytics/sessions.csv', {
      access: supervisor,
      async handle({ query, principal, res }) {
        const sessions = await load(query);
        const text = sessionsCsv(sessions, await deps.pseudonyms());
        await deps.accessed(actorOf(principal), 'analytics_exported', { query, sessions: sessions.length });
        // The centre's days the range covers (`to=…T01:00+14:00` is the day before in Oslo or UTC).
        const { from, to } = rangeOf(query, deps.timeZone);
        const span = [from, to].filter((d) => d !== undefined).map((d) => calendarDay(d, deps.timeZone ?? 'UTC'));
        res.set({
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="sightline-sessions${span.map((d) => `-${d}`).join('')}.csv"`,
          'Cache-Control': 'no-store',
        });
        res.send(text);
      },
    }),
  ];
}

/**
 * The creation-time bounds of an analytics query, inclusive, as ISO 8601 UTC: a bare date is its
 * whole day on the centre's calendar (`zone`, TZ: `from` its first ms, `to` its last, across a
 * daylight-saving change too), a date-time with an offset the instant it names.
 * @throws ValidationError when `to` comes before `from`.
 */
export function rangeOf(query: Pick<AnalyticsQuery, 'from' | 'to'>, zone = 'UTC'): { from?: string; to?: string } {
  const from = query.from && instant(query.from, zone, 0);
  const to = query.to && instant(query.to, zone, 1);
  if (from && to && to < from) throw new ValidationError(`the range ends (${query.to}) before it starts (${query.from})`);
  return { ...(from && { from }), ...(to && { to }) };
}

/** The date `zone`'s calendar shows at the ISO instant `at`, `yyyy-mm-dd`. */
function calendarDay(at: string, zone: string): string {
  const w = wallClockAt(Date.parse(at), zone);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** `value`'s instant: a bare date's first ms on `zone`'s calendar (`end` 1: its last ms, the next day's first less one). */
function instant(value: string, zone: string, end: 0 | 1): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!day) return new Date(value).toISOString();
  const [year, month, date] = day.slice(1).map(Number) as [number, number, number];
  // Date.UTC rolls the day after the month's last over into the next month, as the calendar does.
  const next = new Date(Date.UTC(year, month - 1, date + end));
  const midnight = instantAt({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0 }, zone);
  return new Date(midnight - end).toISOString();
}
