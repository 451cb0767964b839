import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { TokenService } from '../auth/tokens.js';
import { UnauthorizedError } from '../errors.js';
import type { Logger } from '../logging.js';
import { peerIdOf, registerHandlers } from './gate.js';
import { handlers } from './handlers/index.js';
import type { SocketGuard } from './SocketGuard.js';
import { wireSessionEvents } from './sessionEvents.js';
import type { Services, SignallingServer } from './types.js';

/** Largest socket message accepted; SDP-sized payloads are a few KB. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * socket.io at the default path, authenticated by `auth: { token }` on the handshake (staff, caller
 * or viewer token). Messages go through the one gate; media objects die with their socket.
 */
export function attachSignalling(
  http: HttpServer,
  tokens: TokenService,
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

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    try {
      if (typeof token !== 'string') throw new UnauthorizedError('auth.token is required');
      socket.data.principal = tokens.verify(token, ['staff', 'caller', 'viewer']);
    } catch (err) {
      return next(Object.assign(new Error((err as Error).message), { data: { code: 'unauthorized' } }));
    }
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
