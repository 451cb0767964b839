import { loginRequest, type LoginResponse } from '@sightline/shared';
import { defineRoute, STAFF_COOKIE } from '../http/route.js';
import type { TokenService } from './tokens.js';
import type { UserService } from './UserService.js';

export function authRoutes(users: UserService, tokens: TokenService) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      access: 'public',
      body: loginRequest,
      async handle({ body, req, res }): Promise<LoginResponse> {
        const user = await users.authenticate(body.username, body.password);
        const token = tokens.issue({ typ: 'staff', username: user.username, role: user.role });
        // Media playback (<video src>) cannot send a bearer header; an HttpOnly, same-site cookie can.
        res.cookie(STAFF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/api', maxAge: 12 * 3600_000 });
        return { token, role: user.role };
      },
    }),
  ];
}
