import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { StaffRole } from '@sightline/shared';
import { UnauthorizedError } from '../errors.js';

/**
 * The only place that signs or checks JWTs (RFC 8725): one algorithm, `exp` always, issuer and
 * audience checked, and a `typ` claim per kind so a caller token can never pass as a staff token.
 *
 * Each token names its key in the header (`kid`, a digest of the key, never the key), so a
 * rotation can keep accepting the previous key (JWT_SECRET_PREVIOUS) while live callers finish and
 * consoles refresh onto the new one (docs/security.md, "Rotating secrets").
 */
const ALGORITHM = 'HS256';
const ISSUER = 'sightline';
const AUDIENCE = 'sightline';

/**
 * A staff principal names its login (`sid`): the chain of tokens one password check hands out (StaffLogins).
 * `pretap`: the caller's page before the tap (issue #12), holding an unspent caller invite (`invite`, its
 * code): it may set up one send transport and redeem, nothing else (sessions/access.ts).
 */
export type Principal =
  | { typ: 'staff'; username: string; role: StaffRole; sid: string }
  | { typ: 'caller'; sessionId: string }
  | { typ: 'viewer'; sessionId: string; viewerId: string }
  | { typ: 'pretap'; sessionId: string; invite: string };

export type TokenKind = Principal['typ'];

const TTL_SECONDS: Record<TokenKind, number> = {
  staff: 30 * 60, // short: the console refreshes it while the dispatcher is logged in
  caller: 3 * 3600, // longer than a session's maximum lifetime
  viewer: 3 * 3600,
  // The idle bound of a page opened and never tapped: its socket (and transport) is cut then; a tap after it takes the old path.
  pretap: 10 * 60,
};

/** The signing key (JWT_SECRET) and, during a rotation, the one before it (JWT_SECRET_PREVIOUS: verified, never signed with). */
export interface SigningKeys {
  current: Buffer;
  previous?: Buffer;
}

/** A key's id: the first 16 base64url characters of its SHA-256 (96 bits; says nothing usable about the key). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

export class TokenService {
  readonly #ttlSeconds: Record<TokenKind, number>;
  readonly #current: { kid: string; key: Buffer };
  /**
   * Keys accepted by id, the current one and the previous one, as KeyObjects: given raw bytes,
   * jsonwebtoken first tries each as a public key (a failed parse and a thrown error, every time),
   * which made each verify (every staff request, every socket) cost 2.5 ms instead of 0.2 ms (a
   * loaded 2-core machine; about 5 % of the server's CPU in a join storm, issue #12).
   */
  readonly #accepted = new Map<string, KeyObject>();

  /** `staffSeconds` shortens or lengthens staff tokens (STAFF_TOKEN_MINUTES); whole seconds, at least one. */
  constructor(keys: Buffer | SigningKeys, lifetimes: { staffSeconds?: number } = {}) {
    const { current, previous } = Buffer.isBuffer(keys) ? { current: keys, previous: undefined } : keys;
    this.#current = { kid: keyId(current), key: current };
    this.#accepted.set(this.#current.kid, createSecretKey(current));
    if (previous && !previous.equals(current)) this.#accepted.set(keyId(previous), createSecretKey(previous));
    const staff = lifetimes.staffSeconds === undefined ? TTL_SECONDS.staff : Math.max(1, Math.round(lifetimes.staffSeconds));
    this.#ttlSeconds = { ...TTL_SECONDS, staff };
  }

  /** How long a token of this kind lives, in milliseconds (cookies follow it). */
  lifetimeMs(kind: TokenKind): number {
    return this.#ttlSeconds[kind] * 1000;
  }

  /**
   * Signs with the current key. `notAfter` (seconds since epoch) ends the token sooner than its
   * kind's lifetime (a staff shift's end); a token always lives at least one second.
   */
  issue(principal: Principal, opts: { notAfter?: number } = {}): string {
    const { typ, ...claims } = principal;
    const subject = principal.typ === 'staff' ? principal.username : principal.sessionId;
    const now = Math.floor(Date.now() / 1000);
    const exp = Math.max(now + 1, Math.min(now + this.#ttlSeconds[typ], opts.notAfter ?? Infinity));
    return jwt.sign({ ...claims, typ, iat: now, exp }, this.#current.key, {
      algorithm: ALGORITHM,
      keyid: this.#current.kid,
      issuer: ISSUER,
      audience: AUDIENCE,
      subject,
    });
  }

  /** Verifies and returns the principal, or throws UnauthorizedError. `kinds` limits what is accepted. */
  verify(token: string, kinds: readonly TokenKind[]): Principal {
    return this.verifyWithExpiry(token, kinds).principal;
  }

  /** As `verify`, with the token's own end (`exp`, in ms since epoch): sockets are cut then. */
  verifyWithExpiry(token: string, kinds: readonly TokenKind[]): { principal: Principal; expiresAt: number } {
    let payload: jwt.JwtPayload;
    try {
      // The header names the key; a token without `kid` (issued before key ids) is tried with the current key.
      const kid = jwt.decode(token, { complete: true })?.header.kid;
      const key = this.#accepted.get(kid ?? this.#current.kid);
      if (!key) throw new Error('signed with a key this server does not hold');
      const decoded = jwt.verify(token, key, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE });
      if (typeof decoded === 'string') throw new Error('unexpected string payload');
      payload = decoded;
    } catch {
      throw new UnauthorizedError('invalid or expired token');
    }
    const principal = toPrincipal(payload);
    if (!principal || !kinds.includes(principal.typ)) throw new UnauthorizedError('token not valid here');
    return { principal, expiresAt: payload.exp! * 1000 };
  }
}

function toPrincipal(p: jwt.JwtPayload): Principal | undefined {
  if (typeof p.exp !== 'number') return undefined;
  switch (p['typ']) {
    case 'staff':
      // A staff token without a login id predates revocation and is refused: its holder logs in again.
      if (typeof p['username'] === 'string' && (p['role'] === 'dispatcher' || p['role'] === 'supervisor') && typeof p['sid'] === 'string')
        return { typ: 'staff', username: p['username'], role: p['role'], sid: p['sid'] };
      return undefined;
    case 'caller':
      if (typeof p['sessionId'] === 'string') return { typ: 'caller', sessionId: p['sessionId'] };
      return undefined;
    case 'viewer':
      if (typeof p['sessionId'] === 'string' && typeof p['viewerId'] === 'string') return { typ: 'viewer', sessionId: p['sessionId'], viewerId: p['viewerId'] };
      return undefined;
    case 'pretap':
      if (typeof p['sessionId'] === 'string' && typeof p['invite'] === 'string') return { typ: 'pretap', sessionId: p['sessionId'], invite: p['invite'] };
      return undefined;
    default:
      return undefined;
  }
}
