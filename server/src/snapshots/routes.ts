import { inviteCodeParam, sessionIdParam } from '@sightline/shared';
import { z } from 'zod';
import { actorOf, authorizeSession } from '../sessions/access.js';
import type { InviteService } from '../invites/InviteService.js';
import type { SessionService } from '../sessions/SessionService.js';
import { defineRoute } from '../http/route.js';
import type { SnapshotStore } from './SnapshotStore.js';
import type { Limit } from '../ratelimit/limits.js';
import { addressKey } from '../http/clientAddress.js';
import { recordInviteRefusals } from '../invites/refusals.js';
import { AppError } from '../errors.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';

// HEIC is taken in only to be refused with its reason by the store (no browser shows it), not as "no body".
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'];
const imageBody = z.instanceof(Buffer, { message: 'an image body (image/jpeg, image/png or image/webp) is required' });
/**
 * The caller's photo body limit: the page sends JPEGs it scaled to at most 900 kB
 * (client/src/caller/photo.ts, PHOTO_MAX_BYTES); a raw 12 MP camera file is not one of them.
 */
const CALLER_PHOTO_LIMIT = '2mb';
const snapshotParams = z.strictObject({ id: sessionIdParam.shape.id, name: z.string().max(80) });

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
  const keep = async (sessionId: string, source: 'dispatcher' | 'caller', image: Buffer, type: 'snapshot' | 'photo_uploaded', actor: string) => {
    let snapshot;
    try {
      await rates[source].take(sessionId);
      snapshot = await snapshots.save(sessionId, source, image);
    } catch (err) {
      if (err instanceof AppError) {
        const reason = (err.details as { reason?: string } | undefined)?.reason ?? (err.code === 'rate_limited' ? 'rate' : err.code);
        security.record({ kind: 'upload_refused', reason, sessionId, source, bytes: image.length });
      }
      throw err;
    }
    await sessions.record(sessionId, type, actor, { name: snapshot.name, bytes: snapshot.bytes }, { push: { name: 'snapshot:added', payload: { sessionId, snapshot } } });
    return snapshot;
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/snapshots',
      access: { staff: ['dispatcher'] },
      params: sessionIdParam,
      raw: { types: IMAGE_TYPES, limit: '5mb' },
      body: imageBody,
      status: 201,
      async handle({ params, body, principal }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'control');
        return keep(s.id, 'dispatcher', body, 'snapshot', actorOf(principal));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/photos',
      access: { session: ['caller'] },
      params: sessionIdParam,
      raw: { types: IMAGE_TYPES, limit: CALLER_PHOTO_LIMIT },
      body: imageBody,
      status: 201,
      async handle({ params, body, principal }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'publish');
        return keep(s.id, 'caller', body, 'photo_uploaded', 'caller');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/invites/:code/photos',
      access: 'public',
      params: inviteCodeParam,
      raw: { types: IMAGE_TYPES, limit: CALLER_PHOTO_LIMIT },
      body: imageBody,
      status: 201,
      // A browser that cannot send live video can still send a photo, on the strength of the unspent
      // invite: spending it here would lock the caller out of the same link in a real browser.
      async handle({ params, body, req }) {
        const s = await refused('photos', addressKey(req.ip), () => invites.beforeTap(params.code));
        return keep(s.id, 'caller', body, 'photo_uploaded', 'caller');
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions/:id/snapshots',
      access: { staff: ['dispatcher', 'supervisor'] },
      params: sessionIdParam,
      async handle({ params, principal }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'view');
        return { snapshots: await snapshots.list(s.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions/:id/snapshots/:name',
      access: { staff: ['dispatcher', 'supervisor'] },
      params: snapshotParams,
      audit: { what: 'snapshot' },
      async handle({ params, principal, res }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'view');
        const { data, contentType } = await snapshots.read(s.id, params.name);
        res.set({ 'Content-Type': contentType, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' }).send(data);
      },
    }),
  ];
}
