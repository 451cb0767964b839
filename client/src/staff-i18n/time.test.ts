import { describe, expect, it } from 'vitest';
import { formatAt, inputValueAt, instantOfInput, utcInstant } from './time.js';

// Norway's summer time begins 2026-03-29 at 01:00 UTC (02:00 → 03:00) and ends 2026-10-25 at
// 01:00 UTC (03:00 → 02:00): EU Directive 2000/84/EC, art. 2 and 3.
const beforeSpring = '2026-03-29T00:59:59.000Z';
const afterSpring = '2026-03-29T01:00:00.000Z';

describe('staff times: the centre zone in the operator language, UTC on hover', () => {
  it('writes the centre wall clock across the spring change, whatever the zone of this process', () => {
    const oslo = { locale: 'nb', timeZone: 'Europe/Oslo' } as const;
    expect(formatAt(beforeSpring, 'time', oslo)).toBe('01:59:59');
    expect(formatAt(afterSpring, 'time', oslo)).toBe('03:00:00');
    const utc = { locale: 'nb', timeZone: 'UTC' } as const;
    expect(formatAt(beforeSpring, 'time', utc)).toBe('00:59:59');
    expect(formatAt(afterSpring, 'time', utc)).toBe('01:00:00');
  });

  it('gives the same wall clock twice in the autumn hour, and the UTC title tells them apart', () => {
    const oslo = { locale: 'en', timeZone: 'Europe/Oslo' } as const;
    const first = '2026-10-25T00:30:00.000Z';
    const second = '2026-10-25T01:30:00.000Z';
    expect(formatAt(first, 'minutes', oslo)).toBe('02:30');
    expect(formatAt(second, 'minutes', oslo)).toBe('02:30');
    expect([utcInstant(first), utcInstant(second)]).toEqual([first, second]);
  });

  it('writes dates as each language does, on the 24-hour clock in both', () => {
    const at = Date.parse('2026-12-01T13:05:09Z');
    expect(formatAt(at, 'dateTime', { locale: 'nb', timeZone: 'Europe/Oslo' })).toBe('1. des. 2026, 14:05:09');
    expect(formatAt(at, 'dateTime', { locale: 'en', timeZone: 'America/New_York' })).toBe('Dec 1, 2026, 08:05:09');
    expect(formatAt(at, 'minutes', { locale: 'en', timeZone: 'Europe/Oslo' })).toBe('14:05');
  });

  it('takes epoch milliseconds, ISO strings and Dates alike, and writes UTC as ISO 8601 with Z', () => {
    const ctx = { locale: 'en', timeZone: 'UTC' } as const;
    const ms = Date.parse(afterSpring);
    expect(new Set([formatAt(ms, 'time', ctx), formatAt(afterSpring, 'time', ctx), formatAt(new Date(ms), 'time', ctx)]).size).toBe(1);
    expect(utcInstant(ms)).toBe(afterSpring);
  });
});

describe('datetime-local fields on the centre clock', () => {
  it('reads a wall-clock time in the centre zone, whatever the zone of this process, and writes it back', () => {
    expect(new Date(instantOfInput('2026-12-01T14:05', 'Europe/Oslo')).toISOString()).toBe('2026-12-01T13:05:00.000Z');
    expect(new Date(instantOfInput('2026-07-01T14:05', 'Europe/Oslo')).toISOString()).toBe('2026-07-01T12:05:00.000Z');
    expect(new Date(instantOfInput('2026-12-01T08:05', 'America/New_York')).toISOString()).toBe('2026-12-01T13:05:00.000Z');
    expect(inputValueAt(Date.parse('2026-12-01T13:05:00Z'), 'Europe/Oslo')).toBe('2026-12-01T14:05');
    expect(instantOfInput('not a time', 'UTC')).toBeNaN();
  });

  it('takes the first of the autumn hour shown twice, and a time the spring change skips as the hour after', () => {
    expect(new Date(instantOfInput('2026-10-25T02:30', 'Europe/Oslo')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(inputValueAt(instantOfInput('2026-03-29T02:30', 'Europe/Oslo'), 'Europe/Oslo')).toBe('2026-03-29T03:30');
  });
});
