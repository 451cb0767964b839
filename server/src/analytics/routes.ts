import type { AnalyticsQuery } from '@sightline/shared';
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
    const filter: SessionFilter = { ...rangeOf(query), ...(query.dispatcher !== undefined && { dispatcher: query.dispatcher }) };
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
        return funnelOf(sessions.map((s) => s.funnel));
      },
    }),
    defineRoute('GET /api/analytics/sessions.csv', {
      access: supervisor,
      async handle({ query, principal, res }) {
        const sessions = await load(query);
        const text = sessionsCsv(sessions, await deps.pseudonyms());
        await deps.accessed(actorOf(principal), 'analytics_exported', { query, sessions: sessions.length });
        // The UTC days the range covers, as the rows' times are UTC (`to=…T01:00+14:00` is the day before in UTC).
        const { from, to } = rangeOf(query);
        const span = [from, to].filter((d) => d !== undefined).map((d) => d.slice(0, 10));
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
 * whole day in UTC (`from` its first ms, `to` its last), a date-time with an offset the instant it names.
 * @throws ValidationError when `to` comes before `from`.
 */
export function rangeOf(query: Pick<AnalyticsQuery, 'from' | 'to'>): { from?: string; to?: string } {
  const from = query.from && instant(query.from, 'T00:00:00.000Z');
  const to = query.to && instant(query.to, 'T23:59:59.999Z');
  if (from && to && to < from) throw new ValidationError(`the range ends (${query.to}) before it starts (${query.from})`);
  return { ...(from && { from }), ...(to && { to }) };
}

function instant(value: string, dayPart: string): string {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}${dayPart}` : value).toISOString();
}
