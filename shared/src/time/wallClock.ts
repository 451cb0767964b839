/**
 * A time zone's wall clock (IANA names, through Intl): what it shows at an instant, and the instant
 * at which it shows a reading. The staff pages show every time on the centre's clock (TZ, issue #16
 * §4), and the analytics take a bare date as the centre's day; both ends use these.
 */

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
