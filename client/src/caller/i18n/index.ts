import type { Language } from '@sightline/shared';
import { nb } from './nb.js';
import type { CallerText } from './types.js';

export type { CallerText };

/**
 * Norwegian bokmål ships with the page (most sessions use it); every other language is a small
 * chunk of its own, fetched when the session or the caller picks it. The page stays light on a
 * weak network whatever the number of languages.
 */
const LOADERS: Record<Language, () => Promise<CallerText>> = {
  nb: async () => nb,
  nn: () => import('./nn.js').then((m) => m.nn),
  sv: () => import('./sv.js').then((m) => m.sv),
  da: () => import('./da.js').then((m) => m.da),
  fi: () => import('./fi.js').then((m) => m.fi),
  en: () => import('./en.js').then((m) => m.en),
  ar: () => import('./ar.js').then((m) => m.ar),
  pl: () => import('./pl.js').then((m) => m.pl),
  so: () => import('./so.js').then((m) => m.so),
  uk: () => import('./uk.js').then((m) => m.uk),
};

/** Each language's name in itself, for the switcher (without loading its texts). */
export const LANGUAGE_NAMES: Record<Language, string> = {
  nb: 'Norsk bokmål',
  nn: 'Norsk nynorsk',
  sv: 'Svenska',
  da: 'Dansk',
  fi: 'Suomi',
  en: 'English',
  ar: 'العربية',
  pl: 'Polski',
  so: 'Soomaali',
  uk: 'Українська',
};

export const DEFAULT_TEXT = nb;
export const RTL: ReadonlySet<Language> = new Set(['ar']);

export function isLanguage(l: string): l is Language {
  return l in LOADERS;
}

export function loadText(lang: Language): Promise<CallerText> {
  return LOADERS[lang]();
}
