import { z } from '../zod.js';

/**
 * The one rule for a session id, wherever one arrives: REST params, socket messages, folder names on disk.
 *
 * The server makes ids as `s_` + 12 base64url characters (9 random bytes, server/src/sessions/ids.ts),
 * so 14 characters of `[A-Za-z0-9_-]`. The rule accepts 8–64 of those characters: the bound the REST and
 * socket gates have always enforced, loose enough for fixture ids in tests, and tight enough that an id is
 * always one safe path segment (no `/`, no `.`, so never `..`).
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** zod schema of a session id (see SESSION_ID_PATTERN). */
export const sessionIdSchema = z.string().regex(SESSION_ID_PATTERN, 'not a session id');

/** True when `value` is a well-formed session id (for a filter; use sessionIdSchema at a gate). */
export function isSessionId(value: string): boolean {
  return SESSION_ID_PATTERN.test(value);
}
