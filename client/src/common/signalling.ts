import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, GoneReason, RequestName, RequestOf, ResponseMap, ServerToClientEvents } from '@sightline/shared';

export type SignallingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A failed signalling request, with the server's error code (and, for `gone`, its reason). */
export class SignallingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly reason?: GoneReason,
  ) {
    super(message);
    this.name = 'SignallingError';
  }
}

/** How long a page waits before asking again when its token holds all the sockets it may (see below). */
const SOCKETS_FULL_RETRY_MS = 3_000;

export function connectSignalling(token: string): SignallingSocket {
  // WebSocket straight away: the long-polling upgrade costs round trips a caller cannot spare.
  const socket: SignallingSocket = io({ auth: { token }, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 3000 });
  // The server counts a token's sockets (a few at once). After a reload or a network change the old
  // socket stays on its books until its ping times out (~10 s); socket.io does not retry a refused
  // handshake by itself, so the page does, until the old one is gone.
  socket.on('connect_error', (err) => {
    if ((err as Error & { data?: { code?: string } }).data?.code === 'rate_limited' && !socket.active) {
      setTimeout(() => socket.connect(), SOCKETS_FULL_RETRY_MS);
    }
  });
  return socket;
}

/**
 * Calls `listener` when the server refuses this socket's token at the handshake (expired, or signed
 * with a key the server no longer has), or cuts a connected socket because its login no longer holds
 * (`auth:signed-out`: logged out elsewhere, the user removed, the token run out, the shift over):
 * socket.io never retries either, so without this the page would sit there looking connected.
 * Other connection errors are retried by socket.io.
 */
export function onTokenRefused(socket: SignallingSocket, listener: (err: Error) => void): void {
  socket.on('connect_error', (err) => {
    if ((err as Error & { data?: { code?: string } }).data?.code === 'unauthorized') listener(err);
  });
  socket.on('auth:signed-out', ({ reason }) => listener(new Error(`signed out by the server (${reason})`)));
}

/**
 * Calls `listener` whenever the server no longer holds this page's transports, so the page must rejoin:
 * its socket reconnected (a new socket owns nothing: `sessionId` undefined, every session), or the
 * server reset one session's media (its media worker or node was replaced: that `sessionId`).
 */
export function onTransportsLost(socket: SignallingSocket, listener: (sessionId?: string) => void): void {
  socket.io.on('reconnect', () => listener());
  socket.on('session:media-reset', ({ sessionId }) => listener(sessionId));
}

/** Sends one typed request and resolves with its answer (or rejects with the server's error). */
export async function request<K extends RequestName>(socket: SignallingSocket, name: K, payload: RequestOf<K>, timeoutMs = 10_000): Promise<ResponseMap[K]> {
  // socket.io's typings cannot express "the ack's argument of event K"; the shared map can.
  const timed = socket.timeout(timeoutMs) as unknown as {
    emitWithAck(n: K, p: RequestOf<K>): Promise<Ack<ResponseMap[K]>>;
  };
  const ack = await timed.emitWithAck(name, payload);
  if (!ack.ok) throw new SignallingError(ack.error.code, ack.error.message, ack.error.reason);
  return ack.data;
}
