import type { Response } from 'express';
import { addressKey } from '../http/clientAddress.js';
import { defineRoute, STAFF_COOKIE } from '../http/route.js';
import type { LoginGuard } from './LoginGuard.js';
import type { StaffLogins } from './StaffLogins.js';
import type { TokenService } from './TokenService.js';
import type { UserService } from './UserService.js';

export function authRoutes(users: UserService, tokens: TokenService, logins: StaffLogins, guard: LoginGuard) {
  // Media playback (<video src>) cannot send a bearer header; an HttpOnly, same-site cookie can.
  const setCookie = (res: Response, token: string, secure: boolean) =>
    res.cookie(STAFF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/api', maxAge: tokens.lifetimeMs('staff') });
  return [
    defineRoute('POST /api/auth/login', {
      access: 'public',
      async handle({ body, req, res }) {
        const user = await guard.attempt(body.username, addressKey(req.ip), () => users.authenticate(body.username, body.password));
        const token = await logins.start(user);
        setCookie(res, token, req.secure);
        return { token, role: user.role };
      },
    }),
    defineRoute('POST /api/auth/refresh', {
      access: { staff: ['dispatcher', 'supervisor'] },
      // A still-valid token of a live login buys a fresh one, up to the end of the shift; then a login again.
      async handle({ principal, req, res }) {
        if (principal.typ !== 'staff') throw new Error('staff principal expected');
        const token = await logins.refresh(principal);
        setCookie(res, token, req.secure);
        return { token, role: principal.role };
      },
    }),
    defineRoute('POST /api/auth/logout', {
      access: { staff: ['dispatcher', 'supervisor'] },
      // Revokes this login's tokens on every node and cuts its sockets; other logins of the user carry on.
      async handle({ principal, res }) {
        if (principal.typ !== 'staff') throw new Error('staff principal expected');
        await logins.logout(principal);
        res.clearCookie(STAFF_COOKIE, { path: '/api' });
      },
    }),
  ];
}
