import type { Logger } from '../logging.js';
import { MediaQuality } from '../sfu/MediaQuality.js';
import type { Room } from '../sfu/Room.js';
import { pushToSession } from './push.js';
import { audienceChannel, pretapChannel, sessionChannel, type Services, type SignallingServer } from './types.js';

/**
 * Glue between the domain and the sockets: session events are pushed to everyone in the session's
 * channel, and media events drive the lifecycle (live, reconnecting).
 */
export function wireSessionEvents(io: SignallingServer, { sessions, rooms, media }: Services, log: Logger): void {
  sessions.on('event', (sessionId, status, event) => {
    pushToSession(io, sessionId, 'session:event', { sessionId, status, event });
  });

  // A page left before the tap has nothing more to do once the invite is spent or the session is over:
  // its credential would otherwise keep the socket for up to 10 minutes (tokens.ts).
  const cutPretap = (sessionId: string) => io.in(pretapChannel(sessionId)).disconnectSockets(true);
  sessions.on('event', (sessionId, _status, event) => event.type === 'consent_given' && cutPretap(sessionId));

  sessions.on('ended', (sessionId, reason) => {
    cutPretap(sessionId);
    const channel = sessionChannel(sessionId);
    pushToSession(io, sessionId, 'session:ended', { sessionId, reason });
    void rooms.close(sessionId);
    // Callers and viewers lose the session with it; staff sockets serve other sessions too.
    void io
      .in(channel)
      .fetchSockets()
      .then((sockets) => {
        for (const s of sockets) {
          if (s.data.principal.typ === 'staff') [channel, audienceChannel(sessionId, 'staff')].forEach((c) => s.leave(c));
          else s.disconnect(true);
        }
      });
  });

  rooms.onRoomCreated = (room: Room) => {
    const id = room.sessionId;
    const transition = (status: 'live' | 'reconnecting', details?: Record<string, unknown>) =>
      sessions.transition(id, status, 'system', details).catch((err: Error) => log.warn({ sessionId: id, err: err.message }, 'transition failed'));

    const quality = new MediaQuality(room);
    const record = (type: 'media_started' | 'media_ended', details: Record<string, unknown>) =>
      sessions.record(id, type, 'system', details).catch((err: Error) => log.warn({ sessionId: id, err: err.message }, 'media event not logged'));

    room.on('producer-added', (info) => {
      pushToSession(io, id, 'media:producer-added', { sessionId: id, ...info });
      quality.start(info.producerId, info.kind);
      void transition('live', { kind: info.kind, source: info.source }).then(() => record('media_started', { kind: info.kind, source: info.source }));
    });
    room.on('producer-closed', (producerId) => {
      pushToSession(io, id, 'media:producer-closed', { sessionId: id, producerId });
      const summary = quality.finish(producerId);
      if (summary) void record('media_ended', { ...summary });
      if (room.producers().length === 0) void transition('reconnecting', { reason: 'caller media stopped' });
    });
    // A room that closes while its session goes on (here) lost its worker: clients rebuild their media on a new one.
    room.once('closed', () => {
      void sessions.get(id).then(async (s) => {
        if (s.status === 'ended' || (s.mediaNode && s.mediaNode !== media.nodeId)) return;
        pushToSession(io, id, 'session:media-reset', { sessionId: id, reason: 'media server restarted' });
        await sessions.record(id, 'media_reset', 'system', { reason: 'media worker died', worker: room.workerIndex });
      }).catch((err: Error) => log.warn({ sessionId: id, err: err.message }, 'media reset not handled'));
    });
    room.codecs.on('changed', (codecs) => pushToSession(io, id, 'media:video-codecs', { sessionId: id, codecs }));
    room.on('producer-connectivity', (_producerId, connected) => {
      void transition(connected ? 'live' : 'reconnecting', connected ? undefined : { reason: 'caller network lost' });
    });
  };
}

/**
 * This node took over a session whose media node is gone: the session is no longer live, and its
 * clients (on whichever node their sockets are) rebuild their media here.
 */
export function announceTakeover(io: SignallingServer, sessions: Services['sessions']) {
  return async (sessionId: string, from: string | undefined): Promise<void> => {
    const s = await sessions.get(sessionId);
    if (s.status === 'ended') return;
    if (s.status === 'live') await sessions.transition(sessionId, 'reconnecting', 'system', { reason: 'media node lost' });
    await sessions.record(sessionId, 'media_reset', 'system', { reason: 'media node lost', from, to: s.mediaNode });
    pushToSession(io, sessionId, 'session:media-reset', { sessionId, reason: 'media server restarted' });
  };
}
