import type { EventEmitter } from 'node:events';
import type { Logger } from '../logging.js';
import { MediaQuality } from '../sfu/MediaQuality.js';
import type { Room, RoomEvents } from '../sfu/Room.js';
import type { RoomCodecsEvents } from '../sfu/RoomCodecs.js';
import type { SessionService } from './SessionService.js';

/** What the rules read of a room (sfu/Room.ts): its events, its producers and its codec changes. */
export type MediaRoom = Pick<Room, 'sessionId' | 'workerIndex' | 'producers' | 'producerSample'> &
  Partial<Pick<Room, 'showMe'>> &
  Partial<Pick<Room, 'callerMedia'>> &
  Pick<EventEmitter<RoomEvents>, 'on' | 'once'> & { codecs: Pick<EventEmitter<RoomCodecsEvents>, 'on'> };

/** What the session's clients are told when their media server went away: set the media up again. */
const MEDIA_RESET = 'media server restarted';

/**
 * The rules that turn a session's media events into its states and log records (issue #13, item 3):
 * - a producer arrives: `live` (with its kind and source), then `media_started` (kind, source, producerId);
 * - a producer goes: `media_ended` with its quality summary (MediaQuality); the last one gone: `reconnecting`;
 * - the caller's transport loses connectivity: `reconnecting`; regains it: `live`;
 * - but once the caller stopped the video for good (`callerMedia.stopped`, caller:stop-video), its
 *   media going away is what the caller asked for: no `reconnecting`, so no alarm;
 * - the dispatcher's show-me picture (issue #15 §1) closes, whatever closed it: `show_me_ended` with
 *   the reason, and the session told what is shown now (its start is logged by the handler);
 * - the room closes while its session goes on here (its worker died): `session:media-reset`, then `media_reset`;
 * - this node took the session over from a lost node (`takeover`): `reconnecting` if live, `media_reset`,
 *   then `session:media-reset`.
 * Producers coming and going and the codecs wanted of the caller are told to the session's clients
 * (SessionService.tell; signalling/sessionEvents.ts sends). A transition the lifecycle does not allow
 * (live before consent, anything after the end) is ignored by SessionService.transition. Failures are
 * logged, never thrown: a room's events have no one to answer.
 */
export class MediaStates {
  constructor(
    private readonly sessions: SessionService,
    /** This node: a closed room whose session has moved to another node is no reset of its media. */
    private readonly nodeId: string,
    private readonly log: Logger,
  ) {}

  /** Follows one session's room for its life (call once per room, as it is created). */
  follow(room: MediaRoom): void {
    const id = room.sessionId;
    const warn = (what: string) => (err: Error) => this.log.warn({ sessionId: id, err: err.message }, what);
    const transition = (status: 'live' | 'reconnecting', details?: Record<string, unknown>) =>
      this.sessions.transition(id, status, 'system', details).catch(warn('transition failed'));
    const record = (type: 'media_started' | 'media_ended', details: Record<string, unknown>) =>
      this.sessions.record(id, type, 'system', details).catch(warn('media event not logged'));
    const quality = new MediaQuality(room);

    room.on('producer-added', (info) => {
      this.sessions.tell(id, { name: 'media:producer-added', payload: { sessionId: id, ...info } });
      quality.start(info.producerId, info.kind);
      void transition('live', { kind: info.kind, source: info.source }).then(() =>
        // The producer id: the console's first-frame report names it (analytics/FirstFrames.ts).
        record('media_started', { kind: info.kind, source: info.source, producerId: info.producerId }),
      );
    });
    room.on('producer-closed', (producerId) => {
      this.sessions.tell(id, { name: 'media:producer-closed', payload: { sessionId: id, producerId } });
      const summary = quality.finish(producerId);
      if (summary) void record('media_ended', { ...summary });
      if (room.producers().length === 0 && !room.callerMedia?.stopped) void transition('reconnecting', { reason: 'caller media stopped' });
    });
    room.on('producer-connectivity', (_producerId, connected) => {
      if (room.callerMedia?.stopped) return;
      void transition(connected ? 'live' : 'reconnecting', connected ? undefined : { reason: 'caller network lost' });
    });
    room.on('show-me-closed', ({ source }, reason) => {
      const now = room.showMe?.() ?? null;
      void this.sessions
        .record(id, 'show_me_ended', 'system', { source, reason }, { push: { name: 'show-me:changed', payload: { sessionId: id, showMe: now } } })
        .catch(warn('show me end not logged'));
    });
    room.codecs.on('changed', (codecs) => this.sessions.tell(id, { name: 'media:video-codecs', payload: { sessionId: id, codecs } }));
    // Told before it is logged, as it always was: the clients rebuild their media even if the log write fails.
    room.once('closed', () => {
      void this.sessions
        .get(id)
        .then(async (s) => {
          if (s.status === 'ended' || (s.mediaNode && s.mediaNode !== this.nodeId)) return;
          this.sessions.tell(id, { name: 'session:media-reset', payload: { sessionId: id, reason: MEDIA_RESET } });
          await this.sessions.record(id, 'media_reset', 'system', { reason: 'media worker died', worker: room.workerIndex });
        })
        .catch(warn('media reset not handled'));
    });
  }

  /**
   * This node took over a session whose media node (`from`) is gone: the session is no longer live,
   * and its clients (on whichever node their sockets are) rebuild their media here.
   * @throws what SessionService throws (an unknown session: NotFoundError); the caller logs it.
   */
  async takeover(sessionId: string, from: string | undefined): Promise<void> {
    const s = await this.sessions.get(sessionId);
    if (s.status === 'ended') return;
    if (s.status === 'live') await this.sessions.transition(sessionId, 'reconnecting', 'system', { reason: 'media node lost' });
    await this.sessions.record(
      sessionId,
      'media_reset',
      'system',
      { reason: 'media node lost', from, to: s.mediaNode },
      {
        push: { name: 'session:media-reset', payload: { sessionId, reason: MEDIA_RESET } },
      },
    );
  }
}
