import { describe, expect, it } from 'vitest';
import { textKeys, translate, type StaffCatalogue } from './catalogue.js';
import { en } from './en.js';
import { nb } from './nb.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const forms = (node: unknown): string[] => (typeof node === 'string' ? [node] : Object.values(node as Record<string, string>));
const at = (catalogue: StaffCatalogue, key: string) => key.split('.').reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], catalogue);

describe('staff catalogues (nb, en)', () => {
  it('have the same keys, in the same order (the types already refuse a missing one)', () => {
    expect(textKeys(nb)).toEqual(textKeys(en));
    expect(textKeys(en).length).toBeGreaterThan(10);
  });

  it('use the same placeholders in both languages, in every plural form', () => {
    for (const key of textKeys(en)) {
      const wanted = placeholders(forms(at(en, key))[0]!).join();
      for (const text of [...forms(at(en, key)), ...forms(at(nb, key))]) expect(placeholders(text).join(), key).toBe(wanted);
    }
  });

  it('leave no Norwegian text empty or still in English (beyond names and units that are the same in both)', () => {
    const same = textKeys(en).filter((key) => forms(at(en, key)).join() === forms(at(nb, key)).join());
    for (const key of textKeys(en)) for (const text of forms(at(nb, key))) expect(text.trim(), key).not.toBe('');
    // Words both languages write alike (Video, OK, units, symbols): kept short on purpose.
    expect(same.length, same.join(', ')).toBeLessThan(textKeys(en).length / 10);
  });
});

describe('translate', () => {
  const sample = {
    name: 'x',
    rail: { unread: { one: '{count} unread', other: '{count} unread messages' }, since: 'since {time}' },
  } as unknown as StaffCatalogue;

  it('picks the plural form by Intl.PluralRules and writes the count for the language', () => {
    expect(translate(sample, 'en', 'rail.unread', { count: 1 })).toBe('1 unread');
    expect(translate(sample, 'en', 'rail.unread', { count: 0 })).toBe('0 unread messages');
    expect(translate(sample, 'nb', 'rail.unread', { count: 2.5 })).toBe('2,5 unread messages');
  });

  it('fills placeholders, leaves a missing one visible, and gives an unknown key back', () => {
    expect(translate(sample, 'en', 'rail.since', { time: '14:03' })).toBe('since 14:03');
    expect(translate(sample, 'en', 'rail.since')).toBe('since {time}');
    expect(translate(sample, 'en', 'rail.nothing')).toBe('rail.nothing');
  });
});
