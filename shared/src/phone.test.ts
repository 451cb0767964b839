import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSessionRequest } from './api/rest.js';
import { checkPhone, isPhoneCountry, phoneDisplay, type PhoneProblem } from './phone.js';

const problemOf = (typed: string, country?: 'NO' | 'SE') => {
  const r = checkPhone(typed, country);
  return r.ok ? 'ok' : r.problem;
};

describe('checkPhone (issue #14: the console field and the REST gate)', () => {
  it('takes a Norwegian mobile as dispatchers type it, with NO as the default country', () => {
    for (const typed of ['91234567', '912 34 567', '0047 91234567', '+47 912 34 567', '+4791234567', '+47-912-34-567', ' 912 34 567 ']) {
      expect(checkPhone(typed, 'NO'), typed).toEqual({ ok: true, e164: '+4791234567', display: '+47 912 34 567', country: 'NO' });
    }
  });

  it('refuses a number a digit short, and says which rule failed', () => {
    const r = checkPhone('+47912345', 'NO');
    expect(r).toMatchObject({ ok: false, problem: 'too_short' });
    expect(!r.ok && r.message).toBe('too short: mobile numbers with +47 have 8 digits after it, this has 6');
    expect(problemOf('9123456', 'NO')).toBe('too_short');
    expect(problemOf('912345678', 'NO')).toBe('too_long');
  });

  it('names each other rule', () => {
    const cases: [string, PhoneProblem][] = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['+4791234567x', 'not_a_number'],
      ['ring meg', 'not_a_number'],
      ['+999123456', 'unknown_country_code'],
      // A landline: an SMS would never arrive.
      ['22 22 55 55', 'not_mobile'],
      ['+47 59 44 00 00', 'not_mobile'],
    ];
    for (const [typed, problem] of cases) expect(problemOf(typed, 'NO'), typed).toBe(problem);
  });

  it('without a default country, wants the country code (the REST gate)', () => {
    expect(problemOf('91234567')).toBe('no_country_code');
    expect(checkPhone('0047 91234567')).toMatchObject({ ok: true, e164: '+4791234567' });
  });

  it('takes other countries’ mobiles in their international format', () => {
    expect(checkPhone('+46 70 123 45 67', 'NO')).toMatchObject({ ok: true, e164: '+46701234567', display: '+46 70 123 45 67', country: 'SE' });
    expect(checkPhone('070-123 45 67', 'SE')).toMatchObject({ ok: true, e164: '+46701234567' });
  });

  it('knows the countries of the phone data', () => {
    expect(isPhoneCountry('NO')).toBe(true);
    expect(isPhoneCountry('XX')).toBe(false);
    expect(isPhoneCountry('no')).toBe(false);
  });

  // Norwegian mobile ranges (mobile metadata): 4[016-8]xxxxxx, 45xxxxxx (most), 9xxxxxxx.
  const norwegianMobile = fc.oneof(
    fc.tuple(fc.constantFrom('40', '41', '46', '47', '48', '90', '91', '92', '93', '94', '95', '96', '97', '98', '99'), fc.stringMatching(/^\d{6}$/)),
  );

  it('property: every Norwegian mobile, however it is spaced or prefixed, becomes the same E.164 number and reads back 3-2-3', () => {
    fc.assert(
      fc.property(norwegianMobile, fc.constantFrom('', '+47', '0047', '+47 '), fc.constantFrom(' ', '', '-'), ([head, tail], prefix, sep) => {
        const national = head + tail;
        const typed = `${prefix}${national.slice(0, 3)}${sep}${national.slice(3, 5)}${sep}${national.slice(5)}`;
        const r = checkPhone(typed, 'NO');
        expect(r).toEqual({
          ok: true,
          e164: `+47${national}`,
          display: `+47 ${national.slice(0, 3)} ${national.slice(3, 5)} ${national.slice(5)}`,
          country: 'NO',
        });
      }),
    );
  });

  it('property: a Norwegian mobile with a digit dropped or added is refused as too short or too long', () => {
    fc.assert(
      fc.property(norwegianMobile, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 9 }), ([head, tail], at, digit) => {
        const national = head + tail;
        expect(problemOf(`+47${national.slice(0, at)}${national.slice(at + 1)}`)).toBe('too_short');
        expect(problemOf(`+47${national.slice(0, at)}${digit}${national.slice(at)}`)).toBe('too_long');
      }),
    );
  });

  it('property: whatever is typed, the check answers (never throws) and an accepted number is E.164', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.constantFrom(undefined, 'NO' as const), (typed, country) => {
        const r = checkPhone(typed, country);
        if (r.ok) expect(r.e164).toMatch(/^\+[1-9]\d{6,14}$/);
        else expect(r.message.length).toBeGreaterThan(0);
      }),
    );
  });

  it('reads other numbers back in international format', () => {
    expect(phoneDisplay('+46701234567')).toBe('+46 70 123 45 67');
    expect(phoneDisplay('+4722225555')).toBe('+47 22 22 55 55');
  });
});

describe('createSessionRequest (the REST gate)', () => {
  it('stores E.164 and refuses with the rule that failed', () => {
    expect(createSessionRequest.parse({ phone: '+47 912 34 567' }).phone).toBe('+4791234567');
    expect(createSessionRequest.parse({ phone: '0047 91234567' }).phone).toBe('+4791234567');
    const refused = createSessionRequest.safeParse({ phone: '+47912345' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('phone: too short: mobile numbers with +47 have 8 digits after it, this has 6');
    expect(createSessionRequest.safeParse({ phone: '91234567' }).error?.issues[0]?.message).toMatch(/^phone: start with \+ and the country code/);
  });
});
