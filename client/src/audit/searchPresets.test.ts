import { describe, expect, it } from 'vitest';
import { localInputValue, PRESETS, shiftStart } from './searchPresets.js';

const local = (y: number, m: number, d: number, hh: number, mm = 0) => new Date(y, m - 1, d, hh, mm);

describe('search presets', () => {
  it('"This shift" starts at the latest 07:00 or 19:00 at or before now, yesterday evening before 07:00', () => {
    expect(shiftStart(local(2026, 12, 1, 7, 0))).toEqual(local(2026, 12, 1, 7));
    expect(shiftStart(local(2026, 12, 1, 18, 59))).toEqual(local(2026, 12, 1, 7));
    expect(shiftStart(local(2026, 12, 1, 19, 0))).toEqual(local(2026, 12, 1, 19));
    expect(shiftStart(local(2026, 12, 1, 23, 30))).toEqual(local(2026, 12, 1, 19));
    expect(shiftStart(local(2026, 12, 1, 3, 0))).toEqual(local(2026, 11, 30, 19));
    expect(shiftStart(local(2026, 1, 1, 6, 59))).toEqual(local(2025, 12, 31, 19));
  });

  it('each window ends now and starts where its label says; "All" has no start', () => {
    const now = local(2026, 12, 1, 12, 0);
    const from = Object.fromEntries(PRESETS.map((p) => [p.id, p.from(now)?.getTime()]));
    expect(from).toEqual({
      hour: now.getTime() - 3_600_000,
      shift: local(2026, 12, 1, 7).getTime(),
      '24h': now.getTime() - 86_400_000,
      '7d': now.getTime() - 7 * 86_400_000,
      all: undefined,
    });
  });

  it('fills a datetime-local field in local time', () => {
    expect(localInputValue(local(2026, 3, 9, 8, 5))).toBe('2026-03-09T08:05');
  });
});

describe('search presets on the centre clock', () => {
  it('starts the shift at 07:00 or 19:00 in the centre zone, not the browser zone', () => {
    const now = new Date('2026-12-01T05:30:00Z'); // 06:30 in Oslo, 00:30 in New York
    expect(shiftStart(now, 'Europe/Oslo').toISOString()).toBe('2026-11-30T18:00:00.000Z');
    expect(shiftStart(new Date('2026-12-01T06:30:00Z'), 'Europe/Oslo').toISOString()).toBe('2026-12-01T06:00:00.000Z');
    expect(shiftStart(now, 'America/New_York').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(localInputValue(now, 'Europe/Oslo')).toBe('2026-12-01T06:30');
  });
});
