import type { SignOutReason } from '@sightline/shared';
import { RevokedError, type StaffLogins } from '../auth/StaffLogins.js';
import type { TokenService } from '../auth/TokenService.js';
import { UnauthorizedError } from '../errors.js';
import type { Logger } from '../logging.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import { pretapChannel, staffUserChannel, type SignallingServer, type SignallingSocket } from './types.js';

export interface SocketAuthOptions {
  tokens: TokenService;
  logins: StaffLogins;
  security: SecurityEvents;
  /** How often live sockets are checked again (STAFF_RECHECK_SECONDS; 15 s by default). */
  recheckMs: number;
  log: Logger;
}

/** The socket.io room of one staff login's sockets, on every node: a logout cuts them all through the adapter. */
const loginRoom = (sid: string) => `login:${sid}`;

/**
 * Socket authentication that holds for the socket's whole life, not only at connect (issue #11,
 * item 6). The handshake's `auth.token` is verified (and a staff token's login checked in the
 * store); a refusal is a `socket_refused` security event. Then:
 *  - a logout anywhere cuts that login's sockets on every node at once (a room per login, through
 *    the cluster adapter);
 *  - every `recheckMs` each local socket is checked again: a staff socket lives as long as its login
 *    (the newest refreshed token's end, at most the shift), so a removed user, a shift's end or a page
 *    that stopped refreshing cut it within one period; a caller's or viewer's socket ends with its token.
 * A cut staff socket is first sent `auth:signed-out` with the reason.
 */
export function authenticateSockets(io: SignallingServer, opts: SocketAuthOptions): { stop(): void } {
  const { tokens, logins, security, log } = opts;

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    let reason = 'missing_token';
    const refuse = (err: Error) => {
      security.record({ kind: 'socket_refused', reason, key: socket.handshake.address, ...(err instanceof RevokedError && { detail: err.reason }) });
      next(Object.assign(new Error(err.message), { data: { code: 'unauthorized' } }));
    };
    try {
      if (typeof token !== 'string') throw new UnauthorizedError('auth.token is required');
      reason = 'invalid_token';
      const { principal, expiresAt } = tokens.verifyWithExpiry(token, ['staff', 'caller', 'viewer', 'pretap']);
      socket.data.principal = principal;
      socket.data.expiresAt = expiresAt;
      if (principal.typ !== 'staff') return next();
      reason = 'revoked';
      logins.socketDeadline(principal).then((deadline) => {
        socket.data.expiresAt = deadline;
        next();
      }, refuse);
    } catch (err) {
      refuse(err as Error);
    }
  });

  io.on('connection', (socket) => {
    const p = socket.data.principal;
    if (p.typ === 'staff') void socket.join([loginRoom(p.sid), staffUserChannel(p.username)]);
    if (p.typ === 'pretap') void socket.join(pretapChannel(p.sessionId));
  });

  logins.on('revoked', (sid, reason) => {
    io.in(loginRoom(sid)).emit('auth:signed-out', { reason });
    io.in(loginRoom(sid)).disconnectSockets(true);
  });

  const cut = (socket: SignallingSocket, reason: SignOutReason) => {
    const p = socket.data.principal;
    if (p.typ === 'staff') {
      security.record({ kind: 'token_revoked', reason, username: p.username, key: socket.handshake.address });
      socket.emit('auth:signed-out', { reason });
    }
    socket.disconnect(true);
  };

  const recheck = async () => {
    for (const socket of io.of('/').sockets.values()) {
      const p = socket.data.principal;
      if (p.typ === 'staff') {
        try {
          socket.data.expiresAt = await logins.socketDeadline(p);
        } catch (err) {
          if (err instanceof RevokedError) cut(socket, err.reason);
          else log.debug({ err: (err as Error).message }, 'staff socket not rechecked (store unreachable)');
          continue;
        }
      }
      if (Date.now() >= socket.data.expiresAt) cut(socket, 'expired');
    }
  };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    // recheck catches per socket; a throw outside that (a closed server) waits for the next tick.
    recheck()
      .catch((err: Error) => log.debug({ err: err.message }, 'staff sockets not rechecked'))
      .finally(() => (running = false));
  }, opts.recheckMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
