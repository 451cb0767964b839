import { getCountries, getCountryCallingCode, Metadata, parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/mobile/metadata';
import { z } from './zod.js';

/**
 * The caller's (or a viewer's) mobile number: one check for the console's field (a live hint while
 * the dispatcher types) and the REST gate (createSessionRequest, the viewer SMS), so both refuse the
 * same numbers for the same reason.
 *
 * Rules: libphonenumber-js 1.13.16 with its **mobile** metadata (`libphonenumber-js/mobile`, Google's
 * libphonenumber data): a number is accepted only if it is valid as a MOBILE number of its country,
 * because what we send is an SMS. Why not `min`: it has no number types, so it would let a landline
 * through (+47 22 22 55 55), whose SMS never arrives. Why not `max`: it knows every type (and would
 * let us name "landline"), but is half as big again (157 kB of metadata against 99 kB) for the same
 * answer, and this code ships to the dispatcher's browser. Norway in that data: 8 digits, mobiles
 * 4[016-8]xxxxxx, 45xxxxxx (most), 9xxxxxxx.
 *
 * The functions come from `libphonenumber-js/core` with that metadata passed in, rather than from
 * `libphonenumber-js/mobile`, whose module-level statements keep the metadata in every bundle that
 * imports shared/ (the caller's page too, 100 kB more to its first load; measured with the Vite build).
 *
 * Numbers are normalised to E.164 (`+4791234567`) before they are stored or sent.
 */

/** Which rule a number broke, for the dispatcher ("too short: …") and for tests. */
export const PHONE_PROBLEMS = ['empty', 'not_a_number', 'no_country_code', 'unknown_country_code', 'too_short', 'too_long', 'not_mobile'] as const;
export type PhoneProblem = (typeof PHONE_PROBLEMS)[number];

/** An ISO 3166-1 alpha-2 country the phone data knows ("NO"). */
export type PhoneCountry = CountryCode;

export type PhoneCheck =
  | {
      ok: true;
      /** E.164, what is stored and sent: `+4791234567`. */
      e164: string;
      /** For reading back to the caller: `+47 912 34 567` (phoneDisplay). */
      display: string;
      country?: PhoneCountry;
    }
  | { ok: false; problem: PhoneProblem; message: string };

/** Whether `code` is a country the phone data knows (for DEFAULT_COUNTRY). */
export function isPhoneCountry(code: string): code is PhoneCountry {
  return (getCountries(metadata) as string[]).includes(code);
}

/** What may be typed in a phone number besides digits: spaces, dashes, dots, brackets, a leading plus. */
const TYPED = /^\+?[\d\s\-().]*$/;

/**
 * Checks a number as typed: `91234567`, `912 34 567`, `0047 91234567`, `+47 912 34 567`. Without a
 * plus or 00 it is taken as a number of `defaultCountry` (the deployment's DEFAULT_COUNTRY); with
 * no default country such a number is refused (`no_country_code`).
 */
export function checkPhone(typed: string, defaultCountry?: PhoneCountry): PhoneCheck {
  const text = typed.trim();
  if (!text) return fail('empty', 'enter the caller’s mobile number');
  if (!TYPED.test(text)) return fail('not_a_number', 'a phone number has only digits, spaces and a leading +');
  const international = /^(\+|00)/.test(text);
  if (!international && !defaultCountry) return fail('no_country_code', 'start with + and the country code, e.g. +47 912 34 567');
  // 00 is the international prefix in Europe; the library takes "0047…" as a national number otherwise.
  const normalised = text.startsWith('00') ? `+${text.slice(2)}` : text;
  const country = international ? undefined : defaultCountry;
  const length = validatePhoneNumberLength(normalised, country ?? {}, metadata);
  if (length === 'INVALID_COUNTRY') return fail('unknown_country_code', 'unknown country code: check the digits after the +');
  const parsed = parsePhoneNumberFromString(normalised, country ?? {}, metadata);
  if (!parsed) return fail('not_a_number', 'not a phone number');
  const where = parsed.country ?? country;
  const digits = parsed.nationalNumber.length;
  const expected = mobileLengths(where ?? countryOfCallingCode(parsed.countryCallingCode));
  const rule = lengthRule(parsed.countryCallingCode, expected);
  const short = length === 'TOO_SHORT' || (expected.length > 0 && digits < Math.min(...expected));
  if (short) return fail('too_short', `too short: ${rule}, this has ${digits}`);
  const long = length === 'TOO_LONG' || length === 'INVALID_LENGTH' || (expected.length > 0 && digits > Math.max(...expected));
  if (long) return fail('too_long', `too long: ${rule}, this has ${digits}`);
  if (length === 'NOT_A_NUMBER') return fail('not_a_number', 'not a phone number');
  if (!parsed.isValid()) {
    return fail('not_mobile', `${phoneDisplay(parsed.number)} is not a mobile number${where ? ` in ${countryName(where)}` : ''}: the link goes by SMS`);
  }
  return { ok: true, e164: parsed.number, display: phoneDisplay(parsed.number), ...(parsed.country && { country: parsed.country }) };
}

/**
 * An E.164 number as people read it: international format (`+46 70 123 45 67`), except Norwegian
 * mobiles, which are grouped 3-2-3 (`+47 912 34 567`) as Norwegians write and say them (Språkrådet,
 * "Skrivemåten av telefonnummer"); libphonenumber groups every Norwegian number 2-2-2-2.
 */
export function phoneDisplay(e164: string): string {
  const no = /^\+47([49]\d{2})(\d{2})(\d{3})$/.exec(e164);
  if (no) return `+47 ${no[1]} ${no[2]} ${no[3]}`;
  return parsePhoneNumberFromString(e164, metadata)?.formatInternational() ?? e164;
}

/**
 * A mobile number at the REST gate: international form only (`+…` or `00…`; spaces and dashes
 * allowed), made E.164. The console turns a national number into this form with its default country
 * before it sends (checkPhone), so the gate needs none. Refusals say which rule failed.
 *
 * Marked pure, as are the two request schemas that use it (rest.ts): a page that never builds such a
 * request (the caller's) then leaves out the phone data, 100 kB of the phone's first load.
 */
export const mobilePhone = /* @__PURE__ */ z
  .string()
  .max(40)
  .transform((typed, ctx) => {
    const check = checkPhone(typed);
    if (check.ok) return check.e164;
    ctx.addIssue({ code: 'custom', message: `phone: ${check.message}`, params: { problem: check.problem } });
    return z.NEVER;
  });

function fail(problem: PhoneProblem, message: string): PhoneCheck {
  return { ok: false, problem, message };
}

/** The mobile numbers' lengths (national digits) of a country, from the mobile metadata; [] if unknown. */
function mobileLengths(country: PhoneCountry | undefined): number[] {
  if (!country) return [];
  const data = new Metadata(metadata);
  data.selectNumberingPlan(country);
  // `type()` is in the library's runtime, not its typings.
  const plan = data.numberingPlan as unknown as { type(t: 'MOBILE'): { possibleLengths(): number[] } | undefined; possibleLengths(): number[] };
  return plan.type('MOBILE')?.possibleLengths() ?? plan.possibleLengths();
}

/**
 * A country with this calling code, for its number lengths only: the number did not say which of the
 * countries sharing a code it is (+47 is Norway and Svalbard, whose plans are the same).
 */
function countryOfCallingCode(callingCode: string): PhoneCountry | undefined {
  return getCountries(metadata).find((c) => getCountryCallingCode(c, metadata) === callingCode);
}

function lengthRule(callingCode: string, lengths: number[]): string {
  if (lengths.length === 0) return 'wrong length';
  const count = lengths.length === 1 ? `${lengths[0]}` : `${Math.min(...lengths)} to ${Math.max(...lengths)}`;
  return `mobile numbers with +${callingCode} have ${count} digits after it`;
}

function countryName(country: PhoneCountry): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(country) ?? country;
  } catch {
    return country;
  }
}
