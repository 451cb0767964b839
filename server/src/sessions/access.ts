import type { Principal } from '../auth/TokenService.js';
import { ForbiddenError, GoneError } from '../errors.js';
import type { SessionRecord } from '../store/Store.js';

/**
 * Who may touch which session: the one place REST routes and socket handlers ask.
 * Dispatchers own the sessions they created; supervisors may look at all; callers and viewers are
 * bound to the one session their invite named, and lose it when the session ends.
 */
export type SessionAction = 'view' | 'control' | 'join' | 'media' | 'publish' | 'watch' | 'chat' | 'end' | 'redeem' | 'audit' | ShowMeAction;

/**
 * Show me (issue #15 §1): `show` is the dispatcher's picture for the caller (produce it, stop it),
 * the only thing a dispatcher may produce; `see` is the caller's page receiving that picture and
 * closing it, the only thing a caller may receive. A caller token can never `show`.
 */
type ShowMeAction = 'show' | 'see';

export type Role = 'dispatcher' | 'supervisor' | 'caller' | 'viewer' | 'pretap';

/**
 * `pretap` (the caller's page before the tap, issue #12) may only set up its send transport
 * (`media`, further narrowed in handlers/transport.ts: one send transport) and `redeem`: never
 * produce, consume, join, chat or report; every refusal of it is a `pretap_refused` security event.
 */
const ALLOWED: Record<SessionAction, ReadonlyArray<Role>> = {
  view: ['dispatcher', 'supervisor'],
  control: ['dispatcher'],
  /** Attach to the session's signalling and timeline (anyone who belongs to it); its media only while live (`opensMedia`). */
  join: ['dispatcher', 'supervisor', 'caller', 'viewer'],
  /** Transports to the session's router: what anyone who belongs to it needs to send or receive. */
  media: ['dispatcher', 'supervisor', 'caller', 'viewer', 'pretap'],
  publish: ['caller'],
  watch: ['dispatcher', 'viewer', 'supervisor'],
  chat: ['dispatcher', 'caller', 'viewer'],
  /** Ending: `control`, except that ending an ended session stays a harmless repeat. */
  end: ['dispatcher'],
  /** The tap over the pre-tap socket: spends the invite and makes the socket the caller's (handlers/invite.ts). */
  redeem: ['pretap'],
  /** The supervisor's own tools on any session, ended or not: verify its log, export it, legal hold, recording playback. */
  audit: ['supervisor'],
  show: ['dispatcher'],
  see: ['caller'],
};

/** Whether `action` is one of the actions above (a route's declaration, checked when it is defined). */
export function isSessionAction(action: unknown): action is SessionAction {
  return typeof action === 'string' && Object.hasOwn(ALLOWED, action);
}

/**
 * The actions that read a session's data over the socket, and what a supervisor's log record calls
 * each: `join` attaches to the live timeline (its pushes follow), `watch` receives the video. The
 * socket gate logs the first of each per socket and session (signalling/gate.ts); REST routes are
 * logged by the route gate (http/route.ts).
 */
export const SOCKET_READS: Partial<Record<SessionAction, string>> = { join: 'live session', watch: 'live video' };

/**
 * What acts on a live session, reaches its caller or opens its media: refused once the session has
 * ended, for staff as for everyone (a resend would send a real SMS; a transport or consumer would
 * open a router that lives until the socket goes; issue #11). Looking, and ending again, are not.
 */
const LIVE_ONLY: ReadonlySet<SessionAction> = new Set(['control', 'media', 'publish', 'watch', 'chat', 'redeem', 'show', 'see']);

/** Whether joining this session attaches to its media as well (a router is opened for it): only while it has not ended. */
export function opensMedia(session: SessionRecord): boolean {
  return session.status !== 'ended';
}

export function principalRole(p: Principal): Role {
  return p.typ === 'staff' ? p.role : p.typ;
}

/**
 * The role of someone who belongs to the session: a pre-tap credential does not yet.
 * @throws ForbiddenError for a pre-tap credential (the gate has refused it already for every action that asks).
 */
export function memberRole(p: Principal): Exclude<Role, 'pretap'> {
  const role = principalRole(p);
  if (role === 'pretap') throw new ForbiddenError('a caller must tap first');
  return role;
}

export function authorizeSession(p: Principal, session: SessionRecord, action: SessionAction): void {
  const role = principalRole(p);
  if (!ALLOWED[action].includes(role)) throw new ForbiddenError(`a ${role} may not ${action} a session`);
  if (p.typ === 'staff') {
    if (p.role === 'dispatcher' && session.dispatcher !== p.username) throw new ForbiddenError('not your session');
    if (LIVE_ONLY.has(action) && session.status === 'ended') throw new GoneError('ended', 'session');
    return;
  }
  if (p.sessionId !== session.id) throw new ForbiddenError('token is for another session');
  if (session.status === 'ended') throw new GoneError('ended', 'session');
}

export function actorOf(p: Principal): string {
  if (p.typ === 'staff') return `${p.role}:${p.username}`;
  if (p.typ === 'viewer') return `viewer:${p.viewerId}`;
  return 'caller';
}
