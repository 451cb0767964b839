import type { Language } from '@sightline/shared';
import { ar } from './ar.js';
import { da } from './da.js';
import { en } from './en.js';
import { fi } from './fi.js';
import { nb } from './nb.js';
import { nn } from './nn.js';
import { pl } from './pl.js';
import { so } from './so.js';
import { sv } from './sv.js';
import { uk } from './uk.js';
import type { CallerText } from './types.js';

export type { CallerText };

export const TEXTS: Record<Language, CallerText> = { nb, nn, sv, da, fi, en, ar, pl, so, uk };
export const RTL: ReadonlySet<Language> = new Set(['ar']);

export function isLanguage(l: string): l is Language {
  return l in TEXTS;
}
