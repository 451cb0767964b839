import { restRoutes, type LoginResponse } from '@sightline/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Principal } from '../auth/TokenService.js';
import { defineRoute, type PlainRestRoute, type SessionRestRoute } from './route.js';

// `npm run typecheck` compiles this file (server/tsconfig.json covers tests): each `@ts-expect-error`
// below is an assertion that the line does not compile, and fails the typecheck if it does.

describe('defineRoute: a route of the REST contract', () => {
  it('takes its method, path and schemas from the contract', () => {
    const spec = defineRoute('POST /api/auth/login', { access: 'public', handle: async () => ({ token: 't', role: 'dispatcher' }) });
    expect(spec).toMatchObject({ method: 'post', path: '/api/auth/login', access: 'public' });
    expect(spec.schemas.body).toBe(restRoutes['POST /api/auth/login'].body);
    expect(spec.action).toBeUndefined();
  });

  it('refuses a route under one session: those go through sessionRoute, which authorizes', () => {
    const route = 'GET /api/sessions/:id/snapshots' as unknown as PlainRestRoute;
    expect(() => defineRoute(route, { access: { staff: ['dispatcher'] }, handle: async () => undefined as never })).toThrow(/session route/);
  });

  it('splits the contract between the two: every session path is a SessionRestRoute, no other', () => {
    for (const route of Object.keys(restRoutes)) {
      expect(route.split(' ')[1]!.startsWith('/api/sessions/:id'), route).toBe(/^[A-Z]+ \/api\/sessions\/:id(\/|$)/.test(route));
    }
    expectTypeOf<'GET /api/sessions/:id'>().toExtend<SessionRestRoute>();
    expectTypeOf<'GET /api/sessions'>().toExtend<PlainRestRoute>();
    expectTypeOf<'POST /api/invites/:code/photos'>().toExtend<PlainRestRoute>();
  });

  it('types the handler by the contract (checked by typecheck)', () => {
    void (() => {
      defineRoute('POST /api/auth/login', {
        access: 'public',
        async handle({ body, principal, params }) {
          expectTypeOf(body).toEqualTypeOf<{ username: string; password: string }>();
          expectTypeOf(principal).toEqualTypeOf<undefined>();
          expectTypeOf(params).toEqualTypeOf<undefined>();
          return { token: 't', role: 'supervisor' } satisfies LoginResponse;
        },
      });
      defineRoute('POST /api/auth/refresh', {
        access: { staff: ['dispatcher'] },
        async handle({ principal }) {
          expectTypeOf(principal).toEqualTypeOf<Principal>();
          return { token: 't', role: 'dispatcher' };
        },
      });
      // @ts-expect-error a path that is not in the contract
      defineRoute('GET /api/nowhere', { access: 'public', handle: async () => ({}) });
      // @ts-expect-error a method the contract does not give this path
      defineRoute('DELETE /api/auth/login', { access: 'public', handle: async () => undefined });
      defineRoute('POST /api/auth/login', {
        access: 'public',
        // @ts-expect-error an answer of the wrong shape (the contract's is LoginResponse)
        handle: async () => ({ token: 1, role: 'dispatcher' }),
      });
      defineRoute('GET /api/recording-policy', {
        access: 'public',
        // @ts-expect-error an answer missing the contract's field
        handle: async () => ({}),
      });
      // @ts-expect-error a session route must go through sessionRoute (it authorizes)
      defineRoute('GET /api/sessions/:id', { access: { staff: ['supervisor'] }, handle: async () => undefined as never });
    });
  });
});
