import { requestSchemas, type Ack, type RequestName } from '@sightline/shared';
import { GoneError, NotFoundError, reasonOf, toAppError, ValidationError } from '../errors.js';
import type { Logger } from '../logging.js';
import { supervisorTrail } from '../audit/supervisorTrail.js';
import { authorizeSession, SOCKET_READS } from '../sessions/access.js';
import type { SocketGuard } from './SocketGuard.js';
import type { Handler, Services, SignallingSocket } from './types.js';

/**
 * The one gate for socket messages: every registered message is rate-limited per connection, validated against its shared zod
 * schema, its session loaded and authorized for the handler's action, charged to the handler's budget
 * (SocketGuard), and the answer sent as a typed ack. A bad message gets an error ack; the connection
 * and the session carry on, unless the socket keeps running into its limits (then it is dropped).
 */
export function registerHandlers(
  socket: SignallingSocket,
  handlers: readonly Handler<RequestName>[],
  services: Services,
  guard: SocketGuard,
  log: Logger,
): void {
  const trail = supervisorTrail(services.sessions);
  for (const handler of handlers) {
    const schema = requestSchemas[handler.name];
    socket.on(handler.name, async (payload: unknown, ack: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: Ack<unknown>) => void) : () => {};
      try {
        await guard.message(socket);
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new ValidationError(`invalid ${handler.name}${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message}`);
        }
        const principal = socket.data.principal;
        const session = await services.sessions.get(parsed.data.sessionId).catch((err: unknown) => {
          // A caller's or viewer's token is ours and names its session: if that session is unknown
          // now (a restart lost an in-memory store), it is over for them, and they must be told so
          // in the typed way they treat as final, not with a `not_found` that could be anything.
          const ownSession = principal.typ !== 'staff' && principal.sessionId === parsed.data.sessionId;
          throw err instanceof NotFoundError && ownSession ? new GoneError('ended', 'session') : err;
        });
        authorizeSession(principal, session, handler.action);
        if (handler.budget) await guard.spend(socket, handler.budget, session.id, parsed.data, handler.logs ?? false);
        await logLook(socket, trail, session.id, handler.action);
        const data = await handler.handle({ socket, principal, peerId: peerIdOf(services, socket), session, services }, parsed.data as never);
        reply({ ok: true, data });
      } catch (err) {
        const appError = toAppError(err);
        if (appError.status >= 500) log.error({ err, event: handler.name }, 'signalling handler failed');
        const reason = reasonOf(appError);
        reply({ ok: false, error: { code: appError.code, message: appError.message, ...(reason && { reason }) } });
        await guard.refused(socket, handler.name, appError).catch((e: Error) => log.warn({ err: e.message }, 'refusal not counted'));
      }
    });
  }
}

/**
 * A supervisor's read over the socket goes on the session's record before it is answered: the first
 * join (timeline and pushes) and the first video consumed, per socket and session. The socket then
 * stays attached, so later messages of the same kind add nothing to see; a new socket is a new look.
 */
async function logLook(
  socket: SignallingSocket,
  trail: ReturnType<typeof supervisorTrail>,
  sessionId: string,
  action: Handler<RequestName>['action'],
): Promise<void> {
  const what = SOCKET_READS[action];
  const principal = socket.data.principal;
  if (!what || principal.typ !== 'staff' || principal.role !== 'supervisor') return;
  const key = `${sessionId} ${action}`;
  const looked = (socket.data.looked ??= new Set());
  if (looked.has(key)) return;
  await trail(principal, sessionId, { what, via: 'socket' });
  looked.add(key);
}

export const peerIdOf = (services: Services, socket: SignallingSocket): string => `${services.media.nodeId}/${socket.id}`;
