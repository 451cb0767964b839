import { stringify } from 'csv-stringify/sync';
import { FUNNEL_STAGES } from '@sightline/shared';
import type { Pseudonyms } from './Pseudonyms.js';
import type { SessionFunnel } from './sessionFunnel.js';

/** The stages timed in the export: every one after `created` (which has its own column). */
const TIMED = FUNNEL_STAGES.filter((s) => s !== 'created');

/**
 * The export's columns, in order: `session` (pseudonym `p_…`), `created` (ISO 8601 UTC to the
 * minute), `language` (the caller's, as created), `dispatcher` (pseudonym `d_…`), `<stage>_ms` for
 * each stage after `created` (ms from the first `sms_sent`; empty when the session did not reach the
 * stage or no SMS went out), `outcome` (`video`, `failed`, `in_progress`), `failure_cause` (empty
 * unless failed), `synthetic` (`true`/`false`).
 */
export const CSV_COLUMNS = ['session', 'created', 'language', 'dispatcher', ...TIMED.map((s) => `${s}_ms`), 'outcome', 'failure_cause', 'synthetic'] as const;

/** One session to export: its real id and dispatcher (both replaced by pseudonyms) and its funnel. */
export interface CsvSession {
  id: string;
  dispatcher: string;
  funnel: SessionFunnel;
}

/**
 * The research export, one row per session, anonymised: no phone number, name, username, incident
 * reference or session id; ids replaced by stable keyed pseudonyms (Pseudonyms), the creation time
 * cut to the minute. RFC 4180 text: CRLF line ends, a header row, fields quoted where they hold a
 * comma, quote or line break (csv-stringify).
 */
export function sessionsCsv(sessions: readonly CsvSession[], pseudonyms: Pseudonyms): string {
  const records = sessions.map(({ id, dispatcher, funnel: f }) => {
    const sent = f.reached.sms_sent;
    const times = TIMED.map((stage) => {
      const at = f.reached[stage];
      return sent !== undefined && at !== undefined ? String(at - sent) : '';
    });
    return [
      pseudonyms.session(id),
      `${f.createdAt.slice(0, 16)}Z`,
      f.language ?? '',
      pseudonyms.dispatcher(dispatcher),
      ...times,
      f.outcome,
      f.cause ?? '',
      String(f.synthetic),
    ];
  });
  return stringify(records, { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows' });
}
