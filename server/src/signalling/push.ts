import { AUDIENCES, PROJECTIONS, type Outgoing, type PushName, type PushPayload } from '../sessions/projections.js';
import { audienceChannel, type SignallingServer, type SignallingSocket } from './types.js';

/**
 * Sends a push to everyone in a session, each role its own projection of it (sessions/projections.ts):
 * the only way the server pushes to a session, so no push reaches a caller or a viewer unprojected.
 * `via`: the server, or a socket's namespace (in a handler). Works across nodes (rooms go through the adapter).
 */
export function pushToSession<E extends PushName>(via: SignallingServer | SignallingSocket['nsp'], sessionId: string, name: E, payload: PushPayload<E>): void {
  for (const audience of AUDIENCES) {
    const out = PROJECTIONS[audience]({ name, payload } as Outgoing);
    // The projection keeps the payload's type to its name; socket.io's typed emit cannot see through the union.
    const room = via.to(audienceChannel(sessionId, audience)) as unknown as { emit(name: string, payload: unknown): boolean };
    if (out) room.emit(out.name, out.payload);
  }
}
