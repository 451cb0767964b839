import type { StaffLocale } from '@sightline/shared';

/**
 * How a staff page writes an instant: `time` 14:03:27, `minutes` 14:03, `dateTime` 1 Dec 2026, 14:03:27.
 * Always the 24-hour clock: dispatch centres keep 24-hour time, in English as in Norwegian.
 */
export type TimeStyle = 'time' | 'minutes' | 'dateTime';

const OPTIONS: Record<TimeStyle, Intl.DateTimeFormatOptions> = {
  time: { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
  minutes: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  dateTime: { dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23' },
};

const formats = new Map<string, Intl.DateTimeFormat>();

/** Where and in which language to write times: the staff member's locale, the centre's time zone (IANA name). */
export interface TimeContext {
  locale: StaffLocale;
  timeZone: string;
}

/**
 * `at` (a Date, epoch ms or an ISO 8601 string) on the centre's wall clock in the operator's
 * language. The time zone is always the centre's (the server's TZ), never the browser's: a
 * workstation set to another zone must not shift what the log says happened when.
 */
export function formatAt(at: Date | number | string, style: TimeStyle, ctx: TimeContext): string {
  const id = `${ctx.locale}|${ctx.timeZone}|${style}`;
  let f = formats.get(id);
  if (!f) formats.set(id, (f = new Intl.DateTimeFormat(ctx.locale, { ...OPTIONS[style], timeZone: ctx.timeZone })));
  return f.format(new Date(at));
}

/** The UTC instant, ISO 8601 (`2026-03-29T00:59:59.000Z`): what the log holds, shown on hover. */
export function utcInstant(at: Date | number | string): string {
  return new Date(at).toISOString();
}

// The centre's wall clock (reading it, and the instant it shows a reading) is shared with the server,
// which takes the analytics' bare dates as the centre's days.
export { wallClockAt, instantAt, inputValueAt, instantOfInput, type WallClock } from '@sightline/shared';
