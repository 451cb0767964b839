import { actorOf } from '../sessions/access.js';
import type { InviteService } from '../invites/InviteService.js';
import type { SessionService } from '../sessions/SessionService.js';
import { sessionRoute } from '../sessions/sessionRoute.js';
import { defineRoute } from '../http/route.js';
import type { SnapshotStore } from './SnapshotStore.js';
import type { Limit } from '../ratelimit/limits.js';
import { addressKey } from '../http/clientAddress.js';
import { recordInviteRefusals } from '../invites/refusals.js';
import { AppError } from '../errors.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';

// HEIC is taken in only to be refused with its reason by the store (no browser shows it), not as "no body".
// The body is parsed by the contract's `imageUpload` (shared/src/api/rest.ts): bytes, or that refusal.
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'];
/**
 * The caller's photo body limit: the page sends JPEGs it scaled to at most 900 kB
 * (client/src/caller/photo.ts, PHOTO_MAX_BYTES); a raw 12 MP camera file is not one of them.
 */
const CALLER_PHOTO_LIMIT = '2mb';

/**
 * Stills: the dispatcher's snapshots of the live video, and the caller's photo uploads (the fallback
 * when live video fails). Both land in the session's folder and in its log.
 */
/**
 * `rates`: spent once per still, keyed by session: `caller` on both caller routes (before the tap the
 * unspent invite is all it takes, and anyone with the link has that), `dispatcher` on snapshots; a
 * flood gets 429. The store adds the session's quota (count, bytes) and the disk's floor (507), and
 * re-encodes every image. Each refusal is a security event `upload_refused` with its reason.
 * An unknown, spent or expired invite's photo is recorded as `invite_refused`.
 */
export function snapshotRoutes(
  sessions: SessionService,
  invites: Pick<InviteService, 'beforeTap'>,
  snapshots: SnapshotStore,
  rates: { caller: Limit; dispatcher: Limit },
  security: SecurityEvents,
) {
  const refused = recordInviteRefusals(security);
  /** Spends the rate, saves a still, logs it and shows it to everyone in the session: the same for both sources. */
  const keep = async (sessionId: string, source: 'dispatcher' | 'caller', image: Uint8Array, type: 'snapshot' | 'photo_uploaded', actor: string) => {
    let snapshot;
    try {
      await rates[source].take(sessionId);
      snapshot = await snapshots.save(sessionId, source, Buffer.from(image.buffer, image.byteOffset, image.byteLength));
    } catch (err) {
      if (err instanceof AppError) {
        const reason = (err.details as { reason?: string } | undefined)?.reason ?? (err.code === 'rate_limited' ? 'rate' : err.code);
        security.record({ kind: 'upload_refused', reason, sessionId, source, bytes: image.length });
      }
      throw err;
    }
    await sessions.record(
      sessionId,
      type,
      actor,
      { name: snapshot.name, bytes: snapshot.bytes },
      { push: { name: 'snapshot:added', payload: { sessionId, snapshot } } },
    );
    return snapshot;
  };

  return [
    sessionRoute(sessions, 'POST /api/sessions/:id/snapshots', {
      access: { staff: ['dispatcher'] },
      action: 'control',
      raw: { types: IMAGE_TYPES, limit: '5mb' },
      status: 201,
      async handle({ session: s, body, principal }) {
        return keep(s.id, 'dispatcher', body, 'snapshot', actorOf(principal));
      },
    }),
    sessionRoute(sessions, 'POST /api/sessions/:id/photos', {
      access: { session: ['caller'] },
      action: 'publish',
      raw: { types: IMAGE_TYPES, limit: CALLER_PHOTO_LIMIT },
      status: 201,
      async handle({ session: s, body }) {
        return keep(s.id, 'caller', body, 'photo_uploaded', 'caller');
      },
    }),
    defineRoute('POST /api/invites/:code/photos', {
      access: 'public',
      raw: { types: IMAGE_TYPES, limit: CALLER_PHOTO_LIMIT },
      status: 201,
      // A browser that cannot send live video can still send a photo, on the strength of the unspent
      // invite: spending it here would lock the caller out of the same link in a real browser.
      async handle({ params, body, req }) {
        const s = await refused('photos', addressKey(req.ip), () => invites.beforeTap(params.code));
        return keep(s.id, 'caller', body, 'photo_uploaded', 'caller');
      },
    }),
    sessionRoute(sessions, 'GET /api/sessions/:id/snapshots', {
      access: { staff: ['dispatcher', 'supervisor'] },
      action: 'view',
      async handle({ session: s }) {
        return { snapshots: await snapshots.list(s.id) };
      },
    }),
    sessionRoute(sessions, 'GET /api/sessions/:id/snapshots/:name', {
      access: { staff: ['dispatcher', 'supervisor'] },
      action: 'view',
      audit: { what: 'snapshot' },
      async handle({ session: s, params, res }) {
        const { data, contentType } = await snapshots.read(s.id, params.name);
        res.set({ 'Content-Type': contentType, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' }).send(data);
      },
    }),
  ];
}
