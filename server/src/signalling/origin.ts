import type { IncomingMessage } from 'node:http';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import type { SignallingServer } from './types.js';

export interface OriginGuardOptions {
  /** PUBLIC_URL: pages served under it may open sockets. */
  publicUrl: string;
  security: Pick<SecurityEvents, 'record'>;
}

/**
 * Sockets from our own pages only (issue #11, Low). A browser names the page's origin on every
 * WebSocket handshake and cross-origin poll; a socket opened by a page elsewhere is refused (HTTP
 * 403 at the engine.io handshake, before any token is looked at or any socket slot taken), even with
 * a token that page got hold of. Allowed: PUBLIC_URL's origin, the origin of the host the request
 * reached (same-origin, e.g. a node's own address), and no Origin at all (not a browser: the CLI,
 * tests, integrations; such a client can send any Origin it likes anyway).
 */
export function guardOrigin(io: SignallingServer, { publicUrl, security }: OriginGuardOptions): void {
  const ours = new URL(publicUrl).origin;
  const before = io.engine.opts.allowRequest;
  // engine.io asks allowRequest once per new connection (its handshake), ahead of socket.io's middleware.
  io.engine.opts.allowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => {
    const origin = req.headers.origin;
    if (origin === undefined || origin === ours || sameHost(origin, req.headers.host)) {
      return before ? before(req, callback) : callback(null, true);
    }
    security.record({ kind: 'socket_refused', reason: 'origin', key: req.socket.remoteAddress, origin: origin.slice(0, 200) });
    callback('this page may not connect here', false);
  };
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false; // "null" (sandboxed frames, files) and anything malformed
  }
}
