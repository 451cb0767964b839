import { inputValueAt, instantAt, wallClockAt } from '../staff-i18n/time.js';

/** This process's own zone: the default where no centre zone is given (the unit tests' local dates). */
const HERE = new Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * The hours (the centre's clock) a dispatch shift starts at, for the "This shift" preset: twelve-hour shifts
 * at 07 and 19, a common pattern in emergency dispatch (our choice; the issue names no hours). A
 * centre on other hours changes it here.
 */
export const SHIFT_START_HOURS = [7, 19] as const;

/** A search preset: a time window ending now (`to` left open), or every session (`from` undefined). */
interface Preset {
  /** Its button's text is the catalogue's `audit.search.preset.<id>`. */
  id: 'hour' | 'shift' | '24h' | '7d' | 'all';
  /** `zone`: the centre's time zone (IANA), whose clock the shift hours are on. */
  from: (now: Date, zone?: string) => Date | undefined;
}

export const PRESETS: readonly Preset[] = [
  { id: 'hour', from: (now) => new Date(now.getTime() - 3_600_000) },
  { id: 'shift', from: (now, zone) => shiftStart(now, zone) },
  { id: '24h', from: (now) => new Date(now.getTime() - 86_400_000) },
  { id: '7d', from: (now) => new Date(now.getTime() - 7 * 86_400_000) },
  { id: 'all', from: () => undefined },
];

/**
 * The start of the shift `now` falls in: the latest SHIFT_START_HOURS at or before it on `zone`'s
 * clock (yesterday's last one before the first), whatever the browser's own zone.
 */
export function shiftStart(now: Date, zone = HERE): Date {
  const today = wallClockAt(now, zone);
  const at = (dayOffset: number, hour: number) => {
    // The calendar day before `today` when dayOffset is -1 (Date.UTC rolls the month and year over).
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + dayOffset));
    return new Date(instantAt({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour, minute: 0 }, zone));
  };
  const latest = SHIFT_START_HOURS.map((hour) => at(0, hour))
    .filter((d) => d <= now)
    .at(-1);
  return latest ?? at(-1, SHIFT_START_HOURS.at(-1) ?? 0);
}

/** `yyyy-mm-ddThh:mm` on `zone`'s clock: what a datetime-local input holds. */
export function localInputValue(d: Date, zone = HERE): string {
  return inputValueAt(d, zone);
}
