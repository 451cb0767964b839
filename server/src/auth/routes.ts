import { loginRequest, type LoginResponse } from '@sightline/shared';
import { addressKey } from '../http/clientAddress.js';
import { defineRoute, STAFF_COOKIE } from '../http/route.js';
import type { Limit } from '../ratelimit/limits.js';
import type { TokenService } from './tokens.js';
import type { UserService } from './UserService.js';

export function authRoutes(users: UserService, tokens: TokenService, limits: { perIp: Limit; failuresPerUser: Limit }) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      access: 'public',
      body: loginRequest,
      async handle({ body, req, res }): Promise<LoginResponse> {
        // Per address always; per user on failures only, so a typo-prone shift is not locked out by others.
        await limits.perIp.take(addressKey(req.ip));
        // The failure point is spent before the password is tried (atomic: concurrent tries cannot all
        // pass a check first), and a success clears the user's count.
        await limits.failuresPerUser.take(body.username);
        const user = await users.authenticate(body.username, body.password);
        await limits.failuresPerUser.reset(body.username);
        const token = tokens.issue({ typ: 'staff', username: user.username, role: user.role });
        // Media playback (<video src>) cannot send a bearer header; an HttpOnly, same-site cookie can.
        res.cookie(STAFF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/api', maxAge: tokens.lifetimeMs('staff') });
        return { token, role: user.role };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/refresh',
      access: { staff: ['dispatcher', 'supervisor'] },
      // A still-valid staff token buys a fresh one; an expired one means logging in again.
      async handle({ principal, req, res }): Promise<LoginResponse> {
        if (principal.typ !== 'staff') throw new Error('staff principal expected');
        const token = tokens.issue({ typ: 'staff', username: principal.username, role: principal.role });
        res.cookie(STAFF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/api', maxAge: tokens.lifetimeMs('staff') });
        return { token, role: principal.role };
      },
    }),
  ];
}
