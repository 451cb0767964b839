import type { StaffLocale } from '@sightline/shared';
import type { en } from './en.js';

/**
 * A text that depends on a count, one form per CLDR plural category the staff languages use for
 * cardinals (nb and en: `one` and `other`; Unicode CLDR, "Language Plural Rules"). `{count}` in the
 * text is the count, formatted for the language.
 */
export interface Plural {
  one: string;
  other: string;
}

/** The shape of a catalogue: English's keys, each a string or a Plural (a group never has both `one` and `other`). */
export type Shape<T> = { [K in keyof T]: T[K] extends string ? string : T[K] extends Plural ? Plural : Shape<T[K]> };

/** One staff language's texts. Every language has exactly English's keys: a missing or extra key fails the build. */
export type StaffCatalogue = Shape<typeof en>;

type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string | Plural ? `${P}${K}` : Paths<T[K], `${P}${K}.`>;
}[keyof T & string];

/** A text's dotted path in the catalogue, e.g. `console.login.title`. */
export type TextKey = Paths<StaffCatalogue>;

/** Values for a text's `{name}` placeholders; `count` also picks a Plural's form. */
export type TextParams = Record<string, string | number>;

const numberFormats = new Map<string, Intl.NumberFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();

/** A number as the language writes it (decimal comma in nb), without grouping: counts and figures stay short. */
export function formatNumber(n: number, locale: StaffLocale, fractionDigits?: number): string {
  const id = `${locale}|${fractionDigits ?? ''}`;
  let f = numberFormats.get(id);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      useGrouping: false,
      ...(fractionDigits === undefined ? { maximumFractionDigits: 3 } : { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }),
    });
    numberFormats.set(id, f);
  }
  return f.format(n);
}

/** The Plural form for `count` in `locale` (Intl.PluralRules, cardinal). */
export function pluralForm(plural: Plural, count: number, locale: StaffLocale): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  const category = rules.select(count);
  return category === 'one' ? plural.one : plural.other;
}

/** Is this catalogue node a Plural (rather than a group of texts)? */
export function isPlural(node: unknown): node is Plural {
  return typeof node === 'object' && node !== null && 'one' in node && 'other' in node;
}

/** Looks a dotted path up; undefined for a path that names no text (only markup can ask for one). */
export function lookup(catalogue: StaffCatalogue, key: string): string | Plural | undefined {
  let node: unknown = catalogue;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' || isPlural(node) ? node : undefined;
}

/**
 * The text at `key` in `catalogue`, its plural form picked by `params.count` and its `{name}`
 * placeholders filled (numbers formatted for the language). A placeholder without a value stays
 * visible as `{name}`, so a forgotten one shows rather than vanishing. An unknown key gives itself.
 */
export function translate(catalogue: StaffCatalogue, locale: StaffLocale, key: string, params: TextParams = {}): string {
  const node = lookup(catalogue, key);
  if (node === undefined) return key;
  const text = typeof node === 'string' ? node : pluralForm(node, Number(params['count'] ?? 0), locale);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(value, locale) : value;
  });
}

/** Every text path of a catalogue, in order (for tests and checks). */
export function textKeys(catalogue: StaffCatalogue): string[] {
  const out: string[] = [];
  const walk = (node: unknown, prefix: string) => {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (typeof v === 'string' || isPlural(v)) out.push(`${prefix}${k}`);
      else walk(v, `${prefix}${k}.`);
    }
  };
  walk(catalogue, '');
  return out;
}
