import { loginRequest, type LoginResponse } from '@sightline/shared';
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
        await limits.perIp.take(req.ip ?? 'unknown');
        await limits.failuresPerUser.check(body.username);
        const user = await users.authenticate(body.username, body.password).catch(async (err: unknown) => {
          await limits.failuresPerUser.take(body.username).catch(() => undefined);
          throw err;
        });
        await limits.failuresPerUser.reset(body.username);
        const token = tokens.issue({ typ: 'staff', username: user.username, role: user.role });
        // Media playback (<video src>) cannot send a bearer header; an HttpOnly, same-site cookie can.
        res.cookie(STAFF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/api', maxAge: 12 * 3600_000 });
        return { token, role: user.role };
      },
    }),
  ];
}
