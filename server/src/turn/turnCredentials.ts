import { createHmac } from 'node:crypto';

/**
 * Time-limited TURN credentials, the TURN REST API scheme coturn implements with `use-auth-secret`:
 * username = "<expiry unix time>:<label>", password = base64(HMAC-SHA1(secret, username)). coturn
 * checks the HMAC with the shared secret and refuses expired usernames; no per-user state anywhere.
 */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/**
 * Credentials good for `ttlSeconds` from `now`, and never past `notAfter` (the end of the session
 * they serve: issue #11). They cannot be revoked sooner: coturn keeps no list, it only reads the
 * expiry in the username.
 */
export function turnCredentials(opts: { secret: string; urls: string[]; ttlSeconds: number; label: string; now?: Date; notAfter?: Date }): IceServer {
  const ttlEnd = Math.floor((opts.now ?? new Date()).getTime() / 1000) + opts.ttlSeconds;
  const expiry = opts.notAfter ? Math.min(ttlEnd, Math.floor(opts.notAfter.getTime() / 1000)) : ttlEnd;
  const username = `${expiry}:${opts.label}`;
  const credential = createHmac('sha1', opts.secret).update(username).digest('base64');
  return { urls: opts.urls, username, credential };
}

/**
 * The ICE servers handed to a session's clients: TURN credentials when TURN is configured (none
 * otherwise). They end with the session at the latest (`sessionMaxMs` after it began), not TTL later.
 */
export function iceServersFor(
  turn: { secret: string; urls: string[]; ttlSeconds: number } | undefined,
  sessionMaxMs: number,
): ((s: { id: string; createdAt: string }) => IceServer[]) | undefined {
  if (!turn) return undefined;
  return (s) => [turnCredentials({ ...turn, label: s.id, notAfter: new Date(Date.parse(s.createdAt) + sessionMaxMs) })];
}
