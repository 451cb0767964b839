import { describe, expect, it } from 'vitest';
import { ApiError } from '../common/api.js';
import { ar } from './i18n/ar.js';
import { da } from './i18n/da.js';
import { en } from './i18n/en.js';
import { fi } from './i18n/fi.js';
import { nb } from './i18n/nb.js';
import { nn } from './i18n/nn.js';
import { pl } from './i18n/pl.js';
import { so } from './i18n/so.js';
import { sv } from './i18n/sv.js';
import type { CallerText } from './i18n/types.js';
import { uk } from './i18n/uk.js';
import { statusWords, troubleOf, type CallerState } from './status.js';

const TEXTS: Record<string, CallerText> = { nb, nn, sv, da, fi, en, ar, pl, so, uk };
const STATES: CallerState[] = ['loading', 'ready', 'connecting', 'live', 'reconnecting', 'paused', 'ended', 'expired', 'camera_denied', 'error', 'unsupported'];

describe('the caller status words (issue #10 kind 12)', () => {
  it('gives every state its own words in every language, never the state name', () => {
    for (const [lang, t] of Object.entries(TEXTS)) {
      for (const state of STATES) {
        const words = statusWords(t, state);
        if (state === 'loading') expect(words).toBe('');
        else expect(words, `${lang} ${state}`).toBe(t.status[state]);
        for (const name of STATES) expect(words.startsWith(name), `${lang} ${state}: "${words}"`).toBe(false);
      }
    }
  });

  it('has no English left in the other tables: their status and trouble words differ from the English ones', () => {
    for (const [lang, t] of Object.entries(TEXTS)) {
      if (lang === 'en') continue;
      for (const group of ['status', 'trouble'] as const) {
        for (const [key, words] of Object.entries(t[group])) {
          expect(words, `${lang} ${group}.${key}`).not.toBe((en[group] as Record<string, string>)[key]);
          expect(words.trim(), `${lang} ${group}.${key}`).not.toBe('');
        }
      }
    }
  });

  it('says a failure in plain words, keeping the raw message out of them', () => {
    const limited = troubleOf(new ApiError(429, 'rate_limited', 'Too many attempts, retry after 900 s'), true);
    expect(limited.reason).toBe('rate_limited');
    expect(limited.words(nb)).toBe(nb.trouble.tooManyTries);

    const server = troubleOf(new ApiError(500, 'internal', 'Redis connection refused'), true);
    expect(server).toMatchObject({ reason: 'http_500_internal' });
    expect(server.words(pl)).toBe(pl.status.error);

    // fetch() without an answer: Chromium, Firefox and Safari word it differently.
    for (const message of ['Failed to fetch', 'NetworkError when attempting to fetch resource.', 'Load failed']) {
      const t = troubleOf(new TypeError(message), true);
      expect(t.reason, message).toBe('offline');
      expect(t.words(uk)).toBe(uk.trouble.offline);
    }
    // The browser knows it is offline, whatever failed.
    expect(troubleOf(new Error('socket timeout'), false).reason).toBe('offline');

    // The case of the issue: WebKit's words for a missing API never reach the screen.
    const missing = troubleOf(new ReferenceError("Can't find variable: RTCPeerConnection"), true);
    expect(missing.reason).toBe('ReferenceError');
    expect(missing.words(sv)).toBe(sv.status.error);
    expect(troubleOf('thrown string', true).words(ar)).toBe(ar.status.error);
  });
});
