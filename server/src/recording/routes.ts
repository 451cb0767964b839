import { AppError } from '../errors.js';
import { actorOf } from '../sessions/access.js';
import { sessionRoute } from '../sessions/sessionRoute.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { ClusterMedia } from '../cluster/ClusterMedia.js';
import type { RecordingService } from './RecordingService.js';

/** Recording control for the dispatcher (as policy allows), listing, and seekable playback for supervisors. */
export function recordingRoutes(sessions: SessionService, recordings: RecordingService, media: ClusterMedia) {
  return [
    sessionRoute(sessions, 'POST /api/sessions/:id/recording', {
      access: { staff: ['dispatcher'] },
      action: 'control',
      async handle({ session: s, body, principal }) {
        // The recorder runs where the session's media runs.
        return { active: await media.run(s, 'recording', s.id, body.action, actorOf(principal)) };
      },
    }),
    sessionRoute(sessions, 'GET /api/sessions/:id/recordings', {
      access: { staff: ['dispatcher', 'supervisor'] },
      action: 'view',
      async handle({ session: s }) {
        return { recordings: await recordings.list(s.id) };
      },
    }),
    sessionRoute(sessions, 'GET /api/sessions/:id/recordings/:name', {
      access: { staff: ['supervisor'] },
      action: 'audit',
      cookieAuth: true,
      // Every request is logged by the route gate, whatever its Range (a player's seeks included): a
      // rule about which ranges count is one an odd header can step round. A read of the file is a
      // look (`supervisor_viewed`, what `recording file`); a playback is what the player says it
      // started (`…/played` below), so a player loading metadata is not a playback nobody made.
      audit: { what: 'recording file' },
      async handle({ session: s, params, res }) {
        const file = await recordings.filePath(s.id, params.name);
        // Ranges: one satisfiable range → 206; none satisfiable → 416; a header that is not a byte
        // range, or several ranges (no multipart here) → the whole file, 200 (RFC 9110 §14.2 lets a
        // server ignore Range).
        await new Promise<void>((resolve, reject) =>
          res.sendFile(file, { acceptRanges: true, headers: { 'Content-Type': 'video/x-matroska', 'Cache-Control': 'private, no-store' } }, (err) => {
            if (!err || res.headersSent) resolve();
            // A range past the end is the client's mistake: 416 (send has set `Content-Range: bytes */size`), not a 500.
            else if ((err as { status?: number }).status === 416) reject(new AppError('bad_request', 416, 'the range is outside the file'));
            else reject(err);
          }),
        );
      },
    }),
    sessionRoute(sessions, 'POST /api/sessions/:id/recordings/:name/played', {
      access: { staff: ['supervisor'] },
      action: 'audit',
      // Logged by the route gate (`recording_played`, with the segment's name) before this runs.
      audit: { type: 'recording_played' },
      async handle({ session: s, params }) {
        await recordings.filePath(s.id, params.name); // a segment that is not there was not played: 404
      },
    }),
  ];
}
