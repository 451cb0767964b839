import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../errors.js';
import { keyId, TokenService } from './TokenService.js';

const secret = randomBytes(32);
const tokens = new TokenService(secret);
const ann = { typ: 'staff', username: 'ann', role: 'dispatcher', sid: 'login-1' } as const;

describe('TokenService', () => {
  it('round-trips each kind of principal', () => {
    const staff = tokens.issue(ann);
    expect(tokens.verify(staff, ['staff'])).toEqual(ann);
    const caller = tokens.issue({ typ: 'caller', sessionId: 's_12345678' });
    expect(tokens.verify(caller, ['caller', 'viewer'])).toEqual({ typ: 'caller', sessionId: 's_12345678' });
  });

  it('refuses a caller token where a staff token is required', () => {
    const caller = tokens.issue({ typ: 'caller', sessionId: 's_12345678' });
    expect(() => tokens.verify(caller, ['staff'])).toThrow(UnauthorizedError);
  });

  it('refuses alg none, another secret, and a tampered payload', () => {
    const none = jwt.sign({ typ: 'staff', username: 'x', role: 'supervisor' }, '', { algorithm: 'none' });
    expect(() => tokens.verify(none, ['staff'])).toThrow(UnauthorizedError);
    const other = new TokenService(randomBytes(32)).issue({ ...ann, role: 'supervisor' });
    expect(() => tokens.verify(other, ['staff'])).toThrow(UnauthorizedError);
    const good = tokens.issue(ann);
    const [h, p, s] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'supervisor' }));
    expect(() => tokens.verify(`${h}.${forged.toString('base64url')}.${s}`, ['staff'])).toThrow(UnauthorizedError);
  });

  it('refuses a token without exp or with the wrong audience', () => {
    const noExp = jwt.sign({ typ: 'staff', username: 'x', role: 'dispatcher' }, secret, { issuer: 'sightline', audience: 'sightline' });
    expect(() => tokens.verify(noExp, ['staff'])).toThrow(UnauthorizedError);
    const wrongAud = jwt.sign({ typ: 'staff', username: 'x', role: 'dispatcher' }, secret, { issuer: 'sightline', audience: 'other', expiresIn: 60 });
    expect(() => tokens.verify(wrongAud, ['staff'])).toThrow(UnauthorizedError);
  });

  it('gives staff tokens 30 minutes, or the configured lifetime, and leaves other kinds alone', () => {
    const life = (t: string) => {
      const { iat, exp } = JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
      return exp - iat;
    };
    expect(life(tokens.issue(ann))).toBe(30 * 60);
    const short = new TokenService(secret, { staffSeconds: 6 });
    expect(life(short.issue(ann))).toBe(6);
    expect(short.lifetimeMs('staff')).toBe(6_000);
    expect(life(short.issue({ typ: 'caller', sessionId: 's_12345678' }))).toBe(3 * 3600);
  });

  it("ends a token at notAfter when that comes first (a shift's end), but never before one second", () => {
    const now = Math.floor(Date.now() / 1000);
    const { exp } = JSON.parse(Buffer.from(tokens.issue(ann, { notAfter: now + 100 }).split('.')[1]!, 'base64url').toString()) as { exp: number };
    expect(exp).toBe(now + 100);
    expect(tokens.verifyWithExpiry(tokens.issue(ann, { notAfter: now - 50 }), ['staff']).expiresAt).toBeGreaterThan(Date.now());
  });

  it('refuses a staff token without a login id (issued before revocation existed)', () => {
    const old = jwt.sign({ typ: 'staff', username: 'ann', role: 'dispatcher' }, secret, { issuer: 'sightline', audience: 'sightline', expiresIn: 60 });
    expect(() => tokens.verify(old, ['staff'])).toThrow(UnauthorizedError);
  });

  it('names its key (kid, not the key) and accepts the previous key during a rotation, signing only with the new one', () => {
    const before = randomBytes(32);
    const after = randomBytes(32);
    const old = new TokenService(before);
    const callerToken = old.issue({ typ: 'caller', sessionId: 's_12345678' });
    const header = JSON.parse(Buffer.from(callerToken.split('.')[0]!, 'base64url').toString()) as { kid: string };
    expect(header.kid).toBe(keyId(before));
    expect(header.kid).not.toContain(before.toString('base64url').slice(0, 8));

    const rotating = new TokenService({ current: after, previous: before });
    expect(rotating.verify(callerToken, ['caller'])).toEqual({ typ: 'caller', sessionId: 's_12345678' });
    const fresh = rotating.issue(ann);
    expect(JSON.parse(Buffer.from(fresh.split('.')[0]!, 'base64url').toString())).toMatchObject({ kid: keyId(after) });
    expect(() => old.verify(fresh, ['staff'])).toThrow(UnauthorizedError);
    // Once the previous key is dropped, its tokens are refused.
    expect(() => new TokenService(after).verify(callerToken, ['caller'])).toThrow(UnauthorizedError);
    // A token claiming the new key's id but signed with another is refused.
    const [, p] = fresh.split('.');
    const forged = jwt.sign(JSON.parse(Buffer.from(p!, 'base64url').toString()) as object, randomBytes(32), { keyid: keyId(after) });
    expect(() => rotating.verify(forged, ['staff'])).toThrow(UnauthorizedError);
  });
});
