import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../errors.js';
import { TokenService } from './tokens.js';

const secret = randomBytes(32);
const tokens = new TokenService(secret);

describe('TokenService', () => {
  it('round-trips each kind of principal', () => {
    const staff = tokens.issue({ typ: 'staff', username: 'ann', role: 'dispatcher' });
    expect(tokens.verify(staff, ['staff'])).toEqual({ typ: 'staff', username: 'ann', role: 'dispatcher' });
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
    const other = new TokenService(randomBytes(32)).issue({ typ: 'staff', username: 'x', role: 'supervisor' });
    expect(() => tokens.verify(other, ['staff'])).toThrow(UnauthorizedError);
    const good = tokens.issue({ typ: 'staff', username: 'ann', role: 'dispatcher' });
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
    expect(life(tokens.issue({ typ: 'staff', username: 'ann', role: 'dispatcher' }))).toBe(30 * 60);
    const short = new TokenService(secret, { staffSeconds: 6 });
    expect(life(short.issue({ typ: 'staff', username: 'ann', role: 'dispatcher' }))).toBe(6);
    expect(short.lifetimeMs('staff')).toBe(6_000);
    expect(life(short.issue({ typ: 'caller', sessionId: 's_12345678' }))).toBe(3 * 3600);
  });
});
