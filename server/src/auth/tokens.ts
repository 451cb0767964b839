import jwt from 'jsonwebtoken';
import type { StaffRole } from '@sightline/shared';
import { UnauthorizedError } from '../errors.js';

/**
 * The only place that signs or checks JWTs (RFC 8725): one algorithm, `exp` always, issuer and
 * audience checked, and a `typ` claim per kind so a caller token can never pass as a staff token.
 */
const ALGORITHM = 'HS256';
const ISSUER = 'sightline';
const AUDIENCE = 'sightline';

export type Principal =
  | { typ: 'staff'; username: string; role: StaffRole }
  | { typ: 'caller'; sessionId: string }
  | { typ: 'viewer'; sessionId: string; viewerId: string };

export type TokenKind = Principal['typ'];

const TTL_SECONDS: Record<TokenKind, number> = {
  staff: 30 * 60, // short: the console refreshes it while the dispatcher is logged in
  caller: 3 * 3600, // longer than a session's maximum lifetime
  viewer: 3 * 3600,
};

export class TokenService {
  readonly #ttlSeconds: Record<TokenKind, number>;

  /** `staffSeconds` shortens or lengthens staff tokens (STAFF_TOKEN_MINUTES); whole seconds, at least one. */
  constructor(
    private readonly secret: Buffer,
    lifetimes: { staffSeconds?: number } = {},
  ) {
    const staff = lifetimes.staffSeconds === undefined ? TTL_SECONDS.staff : Math.max(1, Math.round(lifetimes.staffSeconds));
    this.#ttlSeconds = { ...TTL_SECONDS, staff };
  }

  /** How long a token of this kind lives, in milliseconds (cookies follow it). */
  lifetimeMs(kind: TokenKind): number {
    return this.#ttlSeconds[kind] * 1000;
  }

  issue(principal: Principal): string {
    const { typ, ...claims } = principal;
    const subject = principal.typ === 'staff' ? principal.username : principal.sessionId;
    return jwt.sign({ ...claims, typ }, this.secret, {
      algorithm: ALGORITHM,
      expiresIn: this.#ttlSeconds[typ],
      issuer: ISSUER,
      audience: AUDIENCE,
      subject,
    });
  }

  /** Verifies and returns the principal, or throws UnauthorizedError. `kinds` limits what is accepted. */
  verify(token: string, kinds: readonly TokenKind[]): Principal {
    let payload: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(token, this.secret, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE });
      if (typeof decoded === 'string') throw new Error('unexpected string payload');
      payload = decoded;
    } catch {
      throw new UnauthorizedError('invalid or expired token');
    }
    const principal = toPrincipal(payload);
    if (!principal || !kinds.includes(principal.typ)) throw new UnauthorizedError('token not valid here');
    return principal;
  }
}

function toPrincipal(p: jwt.JwtPayload): Principal | undefined {
  if (typeof p.exp !== 'number') return undefined;
  switch (p['typ']) {
    case 'staff':
      if (typeof p['username'] === 'string' && (p['role'] === 'dispatcher' || p['role'] === 'supervisor'))
        return { typ: 'staff', username: p['username'], role: p['role'] };
      return undefined;
    case 'caller':
      if (typeof p['sessionId'] === 'string') return { typ: 'caller', sessionId: p['sessionId'] };
      return undefined;
    case 'viewer':
      if (typeof p['sessionId'] === 'string' && typeof p['viewerId'] === 'string')
        return { typ: 'viewer', sessionId: p['sessionId'], viewerId: p['viewerId'] };
      return undefined;
    default:
      return undefined;
  }
}
