import { routeSpec, type PrincipalOf, type RouteAccess, type RouteInput, type RouteServing, type RouteSpec, type SessionRestRoute } from '../http/route.js';
import type { RestAnswer } from '@sightline/shared';
import type { Principal } from '../auth/TokenService.js';
import type { SessionRecord } from '../store/Store.js';
import { authorizeSession, isSessionAction, type SessionAction } from './access.js';

/** Where the gate loads a session from (SessionService `get`): throws NotFoundError for an unknown id. */
export interface SessionLoader {
  get(id: string): Promise<SessionRecord>;
}

/** A session route's access: a token of some kind, never public (the session is authorized against it). */
export type SessionRouteAccess = Exclude<RouteAccess, 'public'>;

/** As `RouteOptions` (http/route.ts, NoInfer there too), with the action and a handler that is given the session. */
export type SessionRouteOptions<K extends SessionRestRoute, A extends SessionRouteAccess> = RouteServing<A> & {
  /** What the request does to the session (sessions/access.ts): authorized before the handler runs. */
  action: SessionAction;
} & NoInfer<{
    /** Runs once the session is loaded and the principal may do `action` to it. */
    handle(input: RouteInput<K, PrincipalOf<A>> & { session: SessionRecord }): Promise<RestAnswer<K>>;
  }>;

/**
 * A route under one session (`/api/sessions/:id…`), behind the session gate, as socket handlers
 * are behind signalling/gate.ts: after the route gate (token, role, schemas, a supervisor's trail),
 * it loads the session named by `:id` and authorizes `action` on it (authorizeSession: the same
 * refusals, 403 or 410, for every route), then hands the handler the loaded session. `defineRoute`
 * takes no session path, and `mountRoutes` mounts none without an action, so a session route that
 * skips the authorization cannot be written.
 * @throws Error at definition when `action` is not a SessionAction.
 */
export function sessionRoute<K extends SessionRestRoute, A extends SessionRouteAccess>(
  sessions: SessionLoader,
  route: K,
  { action, handle, ...serving }: SessionRouteOptions<K, A>,
): RouteSpec {
  if (!isSessionAction(action)) throw new Error(`${route}: a session route needs an action, not ${String(action)}`);
  return routeSpec(
    route,
    {
      ...serving,
      async handle(input: RouteInput<K, PrincipalOf<A>>) {
        const session = await sessions.get((input.params as { id: string }).id);
        authorizeSession(input.principal as Principal, session, action);
        return handle({ ...input, session });
      },
    },
    action,
  );
}
