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

export function turnCredentials(opts: { secret: string; urls: string[]; ttlSeconds: number; label: string; now?: Date }): IceServer {
  const expiry = Math.floor((opts.now ?? new Date()).getTime() / 1000) + opts.ttlSeconds;
  const username = `${expiry}:${opts.label}`;
  const credential = createHmac('sha1', opts.secret).update(username).digest('base64');
  return { urls: opts.urls, username, credential };
}
