import express from 'express';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { Principal, TokenService } from '../auth/TokenService.js';
import { ForbiddenError, GoneError, NotFoundError } from '../errors.js';
import { mountRoutes, routeSpec, type RouteSpec } from '../http/route.js';
import type { SessionRecord } from '../store/Store.js';
import { sessionRoute, type SessionLoader } from './sessionRoute.js';

// `npm run typecheck` compiles this file (server/tsconfig.json covers tests): each `@ts-expect-error`
// below is an assertion that the line does not compile, and fails the typecheck if it does.

const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  id: 'sess-0001',
  status: 'live',
  phone: '+4791234567',
  language: 'nb',
  dispatcher: 'ann',
  createdAt: '2026-11-30T20:00:00.000Z',
  inviteCode: 'c'.repeat(22),
  ...over,
});
const loader = (s: SessionRecord): SessionLoader => ({ get: async (id) => (id === s.id ? s : Promise.reject(new NotFoundError('session'))) });
const ann: Principal = { typ: 'staff', username: 'ann', role: 'dispatcher', sid: 's1' };
const bob: Principal = { typ: 'staff', username: 'bob', role: 'dispatcher', sid: 's2' };
const sue: Principal = { typ: 'staff', username: 'sue', role: 'supervisor', sid: 's3' };

/** Calls a built route's handler as the route gate would, after its token and schema checks. */
function call(spec: RouteSpec, principal: Principal, id = 'sess-0001', body?: unknown) {
  return spec.handle({ params: { id }, query: undefined, body, principal, req: {} as express.Request, res: {} as express.Response });
}

describe('sessionRoute: the session gate of REST', () => {
  it('loads the session, authorizes the declared action, and hands the handler the loaded session', async () => {
    const s = session();
    const handle = vi.fn(async ({ session }: { session: SessionRecord }) => ({ inviteUrl: `seen ${session.id}` }));
    const spec = sessionRoute(loader(s), 'POST /api/sessions/:id/viewers', { access: { staff: ['dispatcher'] }, action: 'control', handle });
    expect(await call(spec, ann, s.id, {})).toEqual({ inviteUrl: 'seen sess-0001' });
    expect(handle.mock.calls[0]![0].session).toBe(s);
    expect(spec).toMatchObject({ method: 'post', path: '/api/sessions/:id/viewers', action: 'control' });
  });

  it('refuses before the handler runs, as authorizeSession does: another dispatcher 403, an ended session 410, an unknown one 404', async () => {
    const handle = vi.fn(async () => ({ inviteUrl: 'x' }));
    const live = sessionRoute(loader(session()), 'POST /api/sessions/:id/viewers', { access: { staff: ['dispatcher'] }, action: 'control', handle });
    await expect(call(live, bob)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(call(live, ann, 'sess-9999')).rejects.toBeInstanceOf(NotFoundError);
    const ended = sessionRoute(loader(session({ status: 'ended' })), 'POST /api/sessions/:id/viewers', {
      access: { staff: ['dispatcher'] },
      action: 'control',
      handle,
    });
    await expect(call(ended, ann)).rejects.toBeInstanceOf(GoneError);
    // Looking is not acting: a supervisor views an ended session, and the owner may end it again.
    const view = sessionRoute(loader(session({ status: 'ended' })), 'GET /api/sessions/:id/snapshots', {
      access: { staff: ['dispatcher', 'supervisor'] },
      action: 'view',
      handle: async () => ({ snapshots: [] }),
    });
    expect(await call(view, sue)).toEqual({ snapshots: [] });
    expect(handle).not.toHaveBeenCalled();
  });

  it('cannot be defined without an action, nor mounted round the gate', () => {
    const s = session();
    const noAction = { access: { staff: ['dispatcher'] }, handle: async () => ({ inviteUrl: 'x' }) } as const;
    // @ts-expect-error a session route declares its action
    expect(() => sessionRoute(loader(s), 'POST /api/sessions/:id/viewers', noAction)).toThrow(/needs an action/);
    // @ts-expect-error an action that is not a SessionAction
    expect(() => sessionRoute(loader(s), 'POST /api/sessions/:id/viewers', { ...noAction, action: 'look' })).toThrow(/needs an action/);
    // A spec put together round sessionRoute has no action: mountRoutes will not mount it.
    const bypass = routeSpec('POST /api/sessions/:id/viewers', noAction);
    expect(() => mountRoutes(express.Router(), {} as TokenService, [bypass])).toThrow(/session route without an action/);
  });

  it('types the handler by the contract (checked by typecheck)', () => {
    void (() => {
      sessionRoute(loader(session()), 'POST /api/sessions/:id/recording', {
        access: { staff: ['dispatcher'] },
        action: 'control',
        async handle({ session, body, params, principal }) {
          expectTypeOf(session).toEqualTypeOf<SessionRecord>();
          expectTypeOf(body).toEqualTypeOf<{ action: 'start' | 'stop' }>();
          expectTypeOf(params).toEqualTypeOf<{ id: string }>();
          expectTypeOf(principal).toEqualTypeOf<Principal>();
          return { active: true };
        },
      });
      sessionRoute(loader(session()), 'POST /api/sessions/:id/end', {
        access: { staff: ['dispatcher'] },
        action: 'end',
        // @ts-expect-error the answer is the contract's ({ id, status: 'ended' })
        async handle({ session }) {
          return { id: session.id, status: 'live' };
        },
      });
      // @ts-expect-error a session route is never public
      sessionRoute(loader(session()), 'GET /api/sessions/:id/snapshots', { access: 'public', action: 'view', handle: async () => ({ snapshots: [] }) });
      // @ts-expect-error only routes under /api/sessions/:id are session routes
      sessionRoute(loader(session()), 'GET /api/sessions', { access: { staff: ['supervisor'] }, action: 'view', handle: async () => ({ sessions: [] }) });
    });
  });
});
