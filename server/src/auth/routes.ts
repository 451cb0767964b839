import { loginRequest, type LoginResponse } from '@sightline/shared';
import { defineRoute } from '../http/route.js';
import type { TokenService } from './tokens.js';
import type { UserService } from './UserService.js';

export function authRoutes(users: UserService, tokens: TokenService) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      access: 'public',
      body: loginRequest,
      async handle({ body }): Promise<LoginResponse> {
        const user = await users.authenticate(body.username, body.password);
        return { token: tokens.issue({ typ: 'staff', username: user.username, role: user.role }), role: user.role };
      },
    }),
  ];
}
