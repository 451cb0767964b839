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

/** A wall-clock reading: the numbers a clock on the wall of `zone` shows (month 1–12). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** What the clock in `zone` shows at `at` (to the minute). */
export function wallClockAt(at: Date | number, zone: string): WallClock {
  let f = wallFormats.get(zone);
  if (!f) {
    const options = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23', timeZone: zone } as const;
    wallFormats.set(zone, (f = new Intl.DateTimeFormat('en-US', options)));
  }
  const part = Object.fromEntries(f.formatToParts(new Date(at)).map((p) => [p.type, p.type === 'literal' ? 0 : Number(p.value)]));
  return { year: part['year']!, month: part['month']!, day: part['day']!, hour: part['hour']!, minute: part['minute']! };
}

/**
 * The instant at which `zone`'s clock shows `wall` (seconds 0). A time that the clock skips (the
 * spring gap) gives the instant an hour on; one it shows twice (the autumn hour) gives the first.
 */
export function instantAt(wall: WallClock, zone: string): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const offset = (at: number) => {
    const w = wallClockAt(at, zone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(at / 60_000) * 60_000;
  };
  // The zone's offsets half a day either side cover any one change (zones change at most twice a year).
  const before = asUtc - offset(asUtc - 43_200_000);
  const after = asUtc - offset(asUtc + 43_200_000);
  const shows = (at: number) => inputValueAt(at, zone) === inputValueAt(asUtc, 'UTC');
  const fits = [before, after].filter(shows);
  return fits.length ? Math.min(...fits) : before;
}

/** `yyyy-mm-ddThh:mm` of `zone`'s clock at `at`: what a datetime-local field holds. */
export function inputValueAt(at: Date | number, zone: string): string {
  const w = wallClockAt(at, zone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** The instant a datetime-local field's `yyyy-mm-ddThh:mm` names on `zone`'s clock; NaN when it is not one. */
export function instantOfInput(value: string, zone: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(value);
  if (!m) return NaN;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  return instantAt({ year, month, day, hour, minute }, zone);
}
