import { isStaffLocale, STAFF_LOCALES, type StaffLocale } from '@sightline/shared';
import { formatNumber, translate, type StaffCatalogue, type TextKey, type TextParams } from './catalogue.js';
import { en } from './en.js';
import { nb } from './nb.js';
import { formatAt, utcInstant, type TimeStyle } from './time.js';

/**
 * The staff pages' language and the centre's time zone, for the page that runs this module.
 *
 * Defaults come from the server in the page's `<html>` element (pages.ts: LOCALE, TZ), so the login
 * form is already in the centre's language. A user's own choice is remembered in this browser's
 * localStorage under their username: kept on the workstation, never sent, no server-side setting to
 * keep in step across Redis and memory mode. It does not follow the user to another desk (named in
 * the README).
 */
const CATALOGUES: Record<StaffLocale, StaffCatalogue> = { nb, en };
const root = typeof document === 'undefined' ? undefined : document.documentElement;

/** LOCALE as the server wrote it into the page; English when absent. */
export function defaultLocale(): StaffLocale {
  const given = root?.dataset['defaultLocale'] ?? '';
  return isStaffLocale(given) ? given : 'en';
}

let current: StaffLocale = defaultLocale();
let zone: string = root?.dataset['timeZone'] || new Intl.DateTimeFormat().resolvedOptions().timeZone;
/** A choice made on the login form, before anyone logged in: it becomes the next user's choice. */
let chosenBeforeLogin: StaffLocale | undefined;
const listeners = new Set<(l: StaffLocale) => void>();

export const storageKey = (username: string) => `sightline.staffLocale.${username}`;

/** The staff page's language now. */
export function locale(): StaffLocale {
  return current;
}

/** The centre's time zone (IANA name): every time on the staff pages is shown in it. */
export function timeZone(): string {
  return zone;
}

/** For the settings answer, should it name another zone than the page was served with. */
export function setTimeZone(name: string): void {
  zone = name;
}

/** The text at `key` in the page's language; see catalogue.ts `translate` for placeholders and plurals. */
export function t(key: TextKey, params?: TextParams): string {
  return translate(CATALOGUES[current], current, key, params);
}

/** A language's name in itself (for the switch). */
export function localeName(l: StaffLocale): string {
  return CATALOGUES[l].name;
}

export const LOCALES = STAFF_LOCALES;

/** `at` on the centre's clock in the page's language (time.ts). */
export function formatTime(at: Date | number | string, style: TimeStyle = 'time'): string {
  return formatAt(at, style, { locale: current, timeZone: zone });
}

/** A `<time>` element for `at`: the centre's wall clock as text, the UTC instant as `datetime` and as its hover title. */
export function timeElement(at: Date | number | string, style: TimeStyle = 'time'): HTMLTimeElement {
  const el = document.createElement('time');
  el.dateTime = utcInstant(at);
  el.title = utcInstant(at);
  el.textContent = formatTime(at, style);
  return el;
}

/** Observes a change of language; returns the unsubscribe. */
export function onLocale(listener: (l: StaffLocale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function apply(l: StaffLocale): void {
  current = l;
  if (root) {
    root.lang = l;
    translatePage(document);
  }
  for (const listener of [...listeners]) listener(l);
}

/**
 * The user chose `l` in the switch: remembered for `username`, or, before login, for whoever logs
 * in next on this page (the person at the screen chose it).
 */
export function chooseLocale(l: StaffLocale, username?: string): void {
  if (username) localStorage.setItem(storageKey(username), l);
  else chosenBeforeLogin = l;
  apply(l);
}

/** A user logged in (or a reload found their token): their remembered language, else LOCALE's. */
export function localeForUser(username: string): StaffLocale {
  const saved = username ? localStorage.getItem(storageKey(username)) : null;
  if (saved && isStaffLocale(saved)) {
    apply(saved);
  } else if (chosenBeforeLogin && username) {
    chooseLocale(chosenBeforeLogin, username);
  } else {
    apply(defaultLocale());
  }
  chosenBeforeLogin = undefined;
  return current;
}

/** Signed out: the page goes back to the centre's default. */
export function resetLocale(): void {
  chosenBeforeLogin = undefined;
  apply(defaultLocale());
}

/**
 * Writes the page's language into its static markup: `data-i18n` (text), `data-i18n-aria-label`,
 * `data-i18n-placeholder` and `data-i18n-title` name a text key each. The shells (console.html,
 * audit.html) keep their English as written, for a page whose script has not run yet.
 */
export function translatePage(scope: ParentNode): void {
  for (const el of scope.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset['i18n'] as TextKey);
  for (const [data, attr] of [
    ['i18nAriaLabel', 'aria-label'],
    ['i18nPlaceholder', 'placeholder'],
    ['i18nTitle', 'title'],
  ] as const) {
    const selector = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const el of scope.querySelectorAll<HTMLElement>(selector)) el.setAttribute(attr, t(el.dataset[data] as TextKey));
  }
}

/** A figure in the page's language (decimal comma in nb), with `fractionDigits` decimals when given. */
export function num(n: number, fractionDigits?: number): string {
  return formatNumber(n, current, fractionDigits);
}
