/**
 * The hours (local time) a dispatch shift starts at, for the "This shift" preset: twelve-hour shifts
 * at 07 and 19, a common pattern in emergency dispatch (our choice; the issue names no hours). A
 * centre on other hours changes it here.
 */
export const SHIFT_START_HOURS = [7, 19] as const;

/** A search preset: a time window ending now (`to` left open), or every session (`from` undefined). */
interface Preset {
  /** Its button's text is the catalogue's `audit.search.preset.<id>`. */
  id: 'hour' | 'shift' | '24h' | '7d' | 'all';
  from: (now: Date) => Date | undefined;
}

export const PRESETS: readonly Preset[] = [
  { id: 'hour', from: (now) => new Date(now.getTime() - 3_600_000) },
  { id: 'shift', from: (now) => shiftStart(now) },
  { id: '24h', from: (now) => new Date(now.getTime() - 86_400_000) },
  { id: '7d', from: (now) => new Date(now.getTime() - 7 * 86_400_000) },
  { id: 'all', from: () => undefined },
];

/** The start of the shift `now` falls in: the latest SHIFT_START_HOURS at or before it (yesterday's last one before the first). */
export function shiftStart(now: Date): Date {
  const starts = SHIFT_START_HOURS.map((hour) => new Date(now.getFullYear(), now.getMonth(), now.getDate(), hour)).filter((d) => d <= now);
  const latest = starts.at(-1);
  if (latest) return latest;
  const last = SHIFT_START_HOURS.at(-1) ?? 0;
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, last);
}

/** `yyyy-mm-ddThh:mm` in local time: what a datetime-local input holds. */
export function localInputValue(d: Date): string {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
