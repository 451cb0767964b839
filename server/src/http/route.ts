import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import {
  restRoutes,
  type RestAnswer,
  type RestBody,
  type RestMethod,
  type RestParams,
  type RestQuery,
  type RestRoute,
  type RouteContract,
  type StaffRole,
} from '@sightline/shared';
import type { z } from 'zod';
import type { Principal, TokenKind, TokenService } from '../auth/TokenService.js';
import type { SessionLook, SupervisorTrail } from '../audit/supervisorTrail.js';
import type { SessionAction } from '../sessions/access.js';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors.js';

/**
 * The one gate every REST route passes: authentication by bearer token, a role check, and zod
 * validation of params, query and body (the schemas of the REST contract, shared/src/api/routes.ts),
 * before the handler sees typed input.
 */
export type RouteAccess = 'public' | { staff: readonly StaffRole[] } | { session: readonly Exclude<TokenKind, 'staff'>[] };

/** Who the handler is told made the request: nobody on a public route. */
export type PrincipalOf<A extends RouteAccess> = A extends 'public' ? undefined : Principal;

/** A path under one session (`/api/sessions/:id…`): only `sessionRoute` defines these (it authorizes). */
export type SessionPath = '/api/sessions/:id' | `/api/sessions/:id/${string}`;
export type SessionRestRoute = Extract<RestRoute, `${RestMethod} ${SessionPath}`>;
/** The routes `defineRoute` takes: every other route of the contract. */
export type PlainRestRoute = Exclude<RestRoute, SessionRestRoute>;

/** How a route is served, besides its handler: the same for `defineRoute` and `sessionRoute`. */
export interface RouteServing<A extends RouteAccess> {
  access: A;
  /** Also accept the staff token from the HttpOnly session cookie (for <video src>, which cannot send headers). */
  cookieAuth?: boolean;
  /** Accept a raw binary body of these content types (uploads) instead of JSON; `body` then sees the bytes. */
  raw?: { types: string[]; limit: string };
  /** HTTP status on success (default 200; 204 when the handler answers undefined). */
  status?: number;
  /**
   * How a supervisor's request to a session route (`/api/sessions/:id…`) is logged: every such
   * request is, by the gate, before the handler runs (`supervisor_viewed`, `what` from the path,
   * unless given here). `'handler'`: the handler writes a record of its own (a legal hold).
   */
  audit?: Pick<SessionLook, 'type' | 'what'> | 'handler';
}

/** What a handler of route `K` is given: its parsed params, query and body, the principal, and express's req/res. */
export interface RouteInput<K extends RestRoute, P> {
  params: RestParams<K>;
  query: RestQuery<K>;
  body: RestBody<K>;
  principal: P;
  req: Request;
  res: Response;
}

/**
 * A route's serving and its handler, which answers the contract's answer for `K` (undefined → 204)
 * or writes the response itself (bytes). NoInfer: `K` and `A` come from the key and `access` alone,
 * so the handler is checked against the route's answer, and a literal it returns (`status: 'ended'`)
 * keeps its type instead of widening to string while `K` is still being inferred.
 */
export type RouteOptions<K extends RestRoute, A extends RouteAccess> = RouteServing<A> &
  NoInfer<{ handle(input: RouteInput<K, PrincipalOf<A>>): Promise<RestAnswer<K>> }>;

/** A route ready to mount: what `defineRoute` and `sessionRoute` build. */
export interface RouteSpec extends RouteServing<RouteAccess> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  schemas: Omit<RouteContract, 'answer'>;
  /** Set by `sessionRoute` only: the action its gate authorized. `mountRoutes` refuses a session path without one. */
  action?: SessionAction;
  handle(input: { params: unknown; query: unknown; body: unknown; principal: Principal | undefined; req: Request; res: Response }): Promise<unknown>;
}

/**
 * A route of the REST contract (`'POST /api/auth/login'`), served by `handle`. Its params, query
 * and body are parsed by the contract's schemas; its answer must be the contract's (a compile
 * error otherwise, as for a key not in the contract).
 * @throws Error for a route under one session (`/api/sessions/:id…`): those are `sessionRoute`s.
 */
export function defineRoute<K extends PlainRestRoute, A extends RouteAccess>(route: K, options: RouteOptions<K, A>): RouteSpec {
  if (isSessionPath(pathOf(route))) throw new Error(`${route} is a session route: define it with sessionRoute, which authorizes`);
  return routeSpec(route, options);
}

/**
 * The mountable form of a contract route. For `defineRoute` and `sessionRoute` only: a session route
 * built here without an `action` is refused by `mountRoutes`.
 */
export function routeSpec<K extends RestRoute>(
  route: K,
  options: RouteServing<RouteAccess> & { handle(input: never): Promise<unknown> },
  action?: SessionAction,
): RouteSpec {
  const { answer: _answer, ...schemas }: RouteContract = restRoutes[route];
  // The gate hands the handler what the contract's schemas parsed, so its typed input holds.
  const handle = options.handle as RouteSpec['handle'];
  return { ...options, handle, method: methodOf(route), path: pathOf(route), schemas, ...(action && { action }) };
}

function methodOf(route: RestRoute): RouteSpec['method'] {
  return route.slice(0, route.indexOf(' ')).toLowerCase() as RouteSpec['method'];
}

function pathOf(route: RestRoute): string {
  return route.slice(route.indexOf(' ') + 1);
}

export function isSessionPath(path: string): boolean {
  return path === SESSION_ROUTE || path.startsWith(`${SESSION_ROUTE}/`);
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
  routes: RouteSpec[],
  { trail, checkStaff }: { trail?: SupervisorTrail; checkStaff?: StaffCheck } = {},
): void {
  for (const spec of routes) {
    const sessionRoute = isSessionPath(spec.path);
    // A spec put together by hand, round sessionRoute, would skip the session's authorization.
    if (sessionRoute && !spec.action) throw new Error(`${spec.method.toUpperCase()} ${spec.path}: a session route without an action (use sessionRoute)`);
    const pre: RequestHandler[] = spec.raw ? [express.raw({ type: spec.raw.types, limit: spec.raw.limit })] : [];
    router[spec.method](spec.path, ...pre, async (req, res, next) => {
      try {
        const principal = authenticate(req, tokens, spec.access, spec.cookieAuth === true);
        if (principal?.typ === 'staff' && checkStaff) await checkStaff(principal);
        const params = parse(spec.schemas.params, req.params, 'path parameter');
        const query = parse(spec.schemas.query, req.query, 'query');
        const body = parse(spec.schemas.body, req.body ?? {}, 'body');
        if (trail && sessionRoute && spec.audit !== 'handler')
          await trail(principal, (params as { id?: string } | undefined)?.id ?? String(req.params['id']), lookOf(spec, params, req));
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
function lookOf(spec: RouteSpec, params: unknown, req: Request): SessionLook {
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
  throw new ValidationError(
    `invalid ${where}${at}: ${first?.message ?? 'bad value'}`,
    r.error.issues.map((i) => ({ path: i.path, message: i.message })),
  );
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
