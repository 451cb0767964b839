import type { Logger } from '../logging.js';
import { AUDIENCES, PROJECTIONS, type Push } from '../sessions/projections.js';
import { audienceChannel, pretapChannel, sessionChannel, staffUserChannel, type Services, type SignallingServer } from './types.js';

/**
 * The one place the server sends to a session's sockets (issue #13, item 2; pushPath.test.ts keeps
 * it so). The domain says what to tell; this sends it:
 * - every logged event as `session:event` (SessionService `event`: once durable);
 * - what a record carries or `tell` hands over (SessionService `push`: chat, control, locations,
 *   stills, replaced codes, media comings and goings, media resets);
 * - the end: `session:ended`, then callers and viewers lose their sockets, and the room closes.
 * A page before the tap is cut once the invite is spent or the session is over.
 * A new session is announced to its dispatcher's own sockets (`session:created`), wherever it was
 * made (a CAD integration over REST, another tab), so their open console shows it at once.
 */
export function wireSessionEvents(io: SignallingServer, { sessions, rooms }: Services, log: Logger): void {
  /**
   * To everyone in the session, each role its own projection (sessions/projections.ts), so no push
   * reaches a caller or a viewer unprojected. Across nodes (rooms go through the adapter). Never
   * throws: a push that cannot go out is logged, and the record it rides on stands.
   */
  const send = (sessionId: string, push: Push): void => {
    try {
      for (const audience of AUDIENCES) {
        const out = PROJECTIONS[audience](push);
        // The projection keeps the payload's type to its name; socket.io's typed emit cannot see through the union.
        const room = io.to(audienceChannel(sessionId, audience)) as unknown as { emit(name: string, payload: unknown): boolean };
        if (out) room.emit(out.name, out.payload);
      }
    } catch (err) {
      log.warn({ sessionId, push: push.name, err: (err as Error).message }, 'push not sent');
    }
  };
  sessions.on('event', (sessionId, status, event) => send(sessionId, { name: 'session:event', payload: { sessionId, status, event } }));
  sessions.on('push', send);
  sessions.on('event', (sessionId, status, event) => {
    if (event.type !== 'created') return;
    sessions
      .get(sessionId)
      .then((s) => void (s.dispatcher && io.to(staffUserChannel(s.dispatcher)).emit('session:created', { sessionId, status })))
      .catch((err: Error) => log.warn({ sessionId, err: err.message }, 'new session not announced'));
  });

  // A page left before the tap has nothing more to do once the invite is spent or the session is over:
  // its credential would otherwise keep the socket for up to 10 minutes (auth/TokenService.ts).
  const cutPretap = (sessionId: string) => io.in(pretapChannel(sessionId)).disconnectSockets(true);
  sessions.on('event', (sessionId, _status, event) => event.type === 'consent_given' && cutPretap(sessionId));

  sessions.on('ended', (sessionId, reason) => {
    cutPretap(sessionId);
    const channel = sessionChannel(sessionId);
    send(sessionId, { name: 'session:ended', payload: { sessionId, reason } });
    rooms.close(sessionId).catch((err: Error) => log.warn({ sessionId, err: err.message }, 'room not closed'));
    // Callers and viewers lose the session with it; staff sockets serve other sessions too. Across
    // nodes fetchSockets can time out: that is logged, not an unhandled rejection.
    io.in(channel)
      .fetchSockets()
      .then((sockets) => {
        for (const s of sockets) {
          if (s.data.principal.typ === 'staff') [channel, audienceChannel(sessionId, 'staff')].forEach((c) => s.leave(c));
          else s.disconnect(true);
        }
      })
      .catch((err: Error) => log.warn({ sessionId, err: err.message }, "ended session's sockets not released"));
  });
}
