import { SignallingError, type SignallingSocket } from './signalling.js';

/**
 * How a caller's or viewer's part in a session can be over for good: the session `ended` (or the
 * server no longer knows it), or the page's token `expired` (also: refused because the server's
 * signing key changed). The page shows it as its state and lets the camera go.
 */
export type Finality = 'ended' | 'expired';

/**
 * Whether a signalling refusal is final, that is, no retry can change it. The server says so with
 * a typed code and, for `gone`, a reason (shared/src/api/errors.ts):
 * - `gone` with reason `ended` → `ended` (the server says so too when a caller's or viewer's session
 *   is unknown to it now; a bare `not_found` names a transport or producer, and a rebuild cures it);
 * - `gone` used or expired, `unauthorized` (token expired or signed with another key), `forbidden`
 *   (the token is for another session) → `expired`.
 * Anything else (a timeout, `unavailable`, `internal`, `rate_limited`) may pass: undefined.
 */
export function finalRefusal(err: unknown): Finality | undefined {
  if (!(err instanceof SignallingError)) return undefined;
  switch (err.code) {
    case 'gone':
      return err.reason === 'ended' ? 'ended' : 'expired';
    case 'unauthorized':
    case 'forbidden':
      return 'expired';
    default:
      return undefined;
  }
}

/**
 * Calls `onFinal('expired')` when the server refuses the socket's handshake (its token expired
 * during a long outage, or the server's key changed). socket.io does not retry such a refusal by
 * itself (the socket turns inactive), so without this the page would wait for ever.
 */
export function onRefusedHandshake(socket: SignallingSocket, onFinal: (state: Finality) => void): void {
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    if (!socket.active && err.data?.code === 'unauthorized') onFinal('expired');
  });
}
