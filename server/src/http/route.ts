import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { StaffRole } from '@sightline/shared';
import type { z } from 'zod';
import type { Principal, TokenKind, TokenService } from '../auth/tokens.js';
import type { SessionLook, SupervisorTrail } from '../audit/supervisorTrail.js';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors.js';

/**
 * The one gate every REST route passes: authentication by bearer token, a role check, and zod
 * validation of params, query and body, before the handler sees typed input.
 */
export type RouteAccess = 'public' | { staff: readonly StaffRole[] } | { session: readonly Exclude<TokenKind, 'staff'>[] };

export interface RouteSpec<P, Q, B, A extends RouteAccess> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  access: A;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Also accept the staff token from the HttpOnly session cookie (for <video src>, which cannot send headers). */
  cookieAuth?: boolean;
  /** Accept a raw binary body of these content types (uploads) instead of JSON; `body` then sees a Buffer. */
  raw?: { types: string[]; limit: string };
  /** HTTP status on success (default 200). */
  status?: number;
  /**
   * How a supervisor's request to a session route (`/api/sessions/:id…`) is logged: every such
   * request is, by the gate, before the handler runs (`supervisor_viewed`, `what` from the path,
   * unless given here). `'handler'`: the handler writes a record of its own (a legal hold).
   */
  audit?: Pick<SessionLook, 'type' | 'what'> | 'handler';
  handle(input: {
    params: P;
    query: Q;
    body: B;
    principal: A extends 'public' ? undefined : Principal;
    req: Request;
    res: Response;
  }): Promise<unknown>;
}

export function defineRoute<P = unknown, Q = unknown, B = unknown, A extends RouteAccess = RouteAccess>(
  spec: RouteSpec<P, Q, B, A>,
): RouteSpec<P, Q, B, A> {
  return spec;
}

/**
 * Whether a verified staff token's login still holds (auth/StaffLogins.ts `check`): throws
 * UnauthorizedError when it was logged out, its user removed, or its shift is over.
 */
export type StaffCheck = (principal: Extract<Principal, { typ: 'staff' }>) => Promise<void>;

/** Where every supervisor route on a session leads: its `:id` names the session. */
const SESSION_ROUTE = '/api/sessions/:id';

/**
 * Mounts each route behind the gate. `trail`: where a supervisor's request to a session route is
 * logged, whatever the route (issue #11, item 7: a new route cannot forget it). `checkStaff`: every
 * staff token's login is checked after the token itself (issue #11, item 6).
 */
export function mountRoutes(
  router: Router,
  tokens: TokenService,
  routes: RouteSpec<any, any, any, any>[],
  { trail, checkStaff }: { trail?: SupervisorTrail; checkStaff?: StaffCheck } = {},
): void {
  for (const spec of routes) {
    const sessionRoute = spec.path === SESSION_ROUTE || spec.path.startsWith(`${SESSION_ROUTE}/`);
    const pre: RequestHandler[] = spec.raw ? [express.raw({ type: spec.raw.types, limit: spec.raw.limit })] : [];
    router[spec.method](spec.path, ...pre, async (req, res, next) => {
      try {
        const principal = authenticate(req, tokens, spec.access, spec.cookieAuth === true);
        if (principal?.typ === 'staff' && checkStaff) await checkStaff(principal);
        const params = parse(spec.params, req.params, 'path parameter');
        const query = parse(spec.query, req.query, 'query');
        const body = parse(spec.body, req.body ?? {}, 'body');
        if (trail && sessionRoute && spec.audit !== 'handler') await trail(principal, (params as { id?: string } | undefined)?.id ?? String(req.params['id']), lookOf(spec, params, req));
        const result = await spec.handle({ params, query, body, principal, req, res });
        if (res.headersSent) return;
        if (result === undefined) res.status(spec.status ?? 204).end();
        else res.status(spec.status ?? 200).json(result);
      } catch (err) {
        next(err);
      }
    });
  }
}

/** What a supervisor's request looks at: the route's label, else its path after the session (`verify`, `snapshots/:name`). */
function lookOf(spec: RouteSpec<any, any, any, any>, params: unknown, req: Request): SessionLook {
  const audit = spec.audit === 'handler' ? undefined : spec.audit;
  const name = (params as { name?: unknown } | undefined)?.name;
  const range = req.get('range');
  return {
    ...(audit?.type && { type: audit.type }),
    what: audit?.what ?? (spec.path.slice(SESSION_ROUTE.length + 1) || 'session'),
    ...(typeof name === 'string' && { name }),
    ...(range !== undefined && { range }),
  };
}

export const STAFF_COOKIE = 'sightline_staff';

function authenticate(req: Request, tokens: TokenService, access: RouteAccess, cookieAuth: boolean): Principal | undefined {
  if (access === 'public') return undefined;
  const header = req.get('authorization') ?? '';
  const bearer = /^Bearer ([A-Za-z0-9._-]+)$/.exec(header)?.[1];
  const token = bearer ?? (cookieAuth ? cookie(req, STAFF_COOKIE) : undefined);
  if (!token) throw new UnauthorizedError();
  if ('staff' in access) {
    const p = tokens.verify(token, ['staff']);
    if (p.typ !== 'staff' || !access.staff.includes(p.role)) throw new ForbiddenError(`requires role ${access.staff.join(' or ')}`);
    return p;
  }
  return tokens.verify(token, access.session);
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name && v && /^[A-Za-z0-9._-]+$/.test(v)) return v;
  }
  return undefined;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const at = first?.path.length ? ` at ${first.path.join('.')}` : '';
  throw new ValidationError(`invalid ${where}${at}: ${first?.message ?? 'bad value'}`, r.error.issues.map((i) => ({ path: i.path, message: i.message })));
}

/** One route an express app answers: what the access-matrix test needs an expectation for. */
export interface MountedRoute {
  method: string;
  path: string;
}

interface StackLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
  /** router@2: true when the layer is mounted at the root ('/', not an end match). */
  slash?: boolean;
}

/**
 * Every route an express 5 app answers, read from its router stack, so that a test can require an
 * expectation for each (a new route cannot be left out of the access matrix). Sub-routers are
 * followed where mounted at the root, which is how createApp mounts them; a sub-router under a
 * prefix cannot be named from the stack and throws rather than being skipped.
 */
export function mountedRoutes(app: { router: unknown }): MountedRoute[] {
  const routes: MountedRoute[] = [];
  const walk = (stack: StackLayer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all');
        for (const method of layer.route.methods['_all'] ? ['ALL'] : methods) routes.push({ method: method.toUpperCase(), path: String(layer.route.path) });
      } else if (layer.handle?.stack) {
        if (!layer.slash) throw new Error('a router mounted under a path prefix: its routes cannot be listed');
        walk(layer.handle.stack);
      }
    }
  };
  walk((app.router as { stack: StackLayer[] }).stack);
  return routes;
}
