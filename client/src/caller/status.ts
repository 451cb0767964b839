import { ApiError } from '../common/api.js';
import type { CallerText } from './i18n/types.js';

/**
 * The caller page's states: the `data-state` of `caller-status` (CONTRACT.md), for tests, styles
 * and support staff. The caller never reads these names: the visible text is the state's words in
 * the caller's language, from the language's own table.
 */
export type CallerState = 'loading' | Exclude<keyof CallerText['status'], 'weak'>;

/** Picks words from the table of the language of the moment (so a language switch re-renders them). */
export type Words = (t: CallerText) => string;

/** What went wrong, said plainly, plus a machine-readable reason for `data-reason` (never shown). */
export interface Trouble {
  words: Words;
  reason: string;
}

/** The visible words of a state; `loading` has none (the page is not ready to speak yet). */
export function statusWords(text: CallerText, state: CallerState): string {
  return state === 'loading' ? '' : text.status[state];
}

/**
 * Turns a failure into plain words. Browser and server messages are English and technical
 * ("Can't find variable: RTCPeerConnection", the 429 body), so they only go into the reason.
 * - 429 from the server: too many tries (the code entry's rate limit);
 * - a fetch that never got an answer, or the browser knows it is offline: no connection;
 * - anything else: "something went wrong, try again".
 */
export function troubleOf(err: unknown, online = globalThis.navigator?.onLine ?? true): Trouble {
  if (err instanceof ApiError) {
    if (err.status === 429) return { words: (t) => t.trouble.tooManyTries, reason: 'rate_limited' };
    return { words: (t) => t.status.error, reason: `http_${err.status}_${err.code}` };
  }
  // fetch() rejects with a TypeError (whatever its message, which differs per engine) when no answer came.
  if (!online || (err instanceof TypeError && /fetch|network|load failed/i.test(err.message))) {
    return { words: (t) => t.trouble.offline, reason: 'offline' };
  }
  const name = err instanceof Error ? err.name : typeof err;
  return { words: (t) => t.status.error, reason: name || 'error' };
}
