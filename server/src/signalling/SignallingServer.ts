import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { Logger } from '../logging.js';
import { peerIdOf, registerHandlers } from './gate.js';
import { handlers } from './handlers/index.js';
import type { SocketGuard } from './SocketGuard.js';
import { wireSessionEvents } from './sessionEvents.js';
import { authenticateSockets, type SocketAuthOptions } from './socketAuth.js';
import type { Services, SignallingServer } from './types.js';

/** Largest socket message accepted; SDP-sized payloads are a few KB. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * socket.io at the default path, authenticated by `auth: { token }` on the handshake (staff, caller
 * or viewer token) and checked again while connected (socketAuth.ts). Messages go through the one
 * gate; media objects die with their socket.
 */
export function attachSignalling(
  http: HttpServer,
  auth: Omit<SocketAuthOptions, 'log'>,
  services: Services,
  /** Sockets per token, budgets and drops (issue #11 item 2). */
  guard: SocketGuard,
  log: Logger,
  /** Several nodes: a socket.io adapter that carries broadcasts between them (Redis Streams). */
  adapter?: ServerOptions['adapter'],
): SignallingServer {
  const io: SignallingServer = new Server(http, {
    ...(adapter && { adapter }),
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    cors: { origin: false },
    // Detect a vanished phone in ~10 s so the console can show "reconnecting" promptly.
    pingInterval: 5_000,
    pingTimeout: 5_000,
  });

  // Its recheck timer is unref'd: it never holds the process open, and finds no sockets once io closes.
  authenticateSockets(io, { ...auth, log });
  // A pre-tap credential outlives its use (up to 10 min): once its invite is spent or its session is
  // over it has nothing left to do, so a new socket with it is refused (sessionEvents.ts cuts those
  // already open at the consent record and the end).
  io.use((socket, next) => {
    const p = socket.data.principal;
    if (p.typ !== 'pretap') return next();
    services.invites.beforeTap(p.invite).then(
      () => next(),
      (err: Error) => {
        auth.security.record({ kind: 'socket_refused', reason: 'pretap_after_tap', key: socket.handshake.address, sessionId: p.sessionId });
        next(Object.assign(new Error(err.message), { data: { code: 'gone' } }));
      },
    );
  });
  // Then the token's budget of sockets (issue #11 item 2): only authenticated sockets count.
  io.use((socket, next) => {
    guard.admit(socket).then(
      () => next(),
      (err: Error) => next(Object.assign(new Error(err.message), { data: { code: 'rate_limited' } })),
    );
  });

  io.on('connection', (socket) => {
    registerHandlers(socket, handlers, services, guard, log);
    socket.on('disconnect', () => {
      const peerId = peerIdOf(services, socket);
      for (const sessionId of socket.data.mediaSessions ?? []) {
        void services.sessions
          .get(sessionId)
          .then((s) => services.media.run(s, 'closePeer', sessionId, peerId))
          .catch((err: Error) => log.debug({ sessionId, err: err.message }, 'peer media not closed'));
      }
    });
  });

  wireSessionEvents(io, services, log);
  return io;
}
