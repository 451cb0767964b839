import { sessionIdParam } from '@sightline/shared';
import { z } from 'zod';
import { actorOf, authorizeSession } from '../sessions/access.js';
import type { SessionService } from '../sessions/SessionService.js';
import { defineRoute } from '../http/route.js';
import type { SignallingServer } from '../signalling/types.js';
import { sessionChannel } from '../signalling/types.js';
import type { SnapshotStore } from './SnapshotStore.js';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'];
const imageBody = z.instanceof(Buffer, { message: 'an image body (image/jpeg, image/png, image/webp or image/heic) is required' });
const snapshotParams = z.strictObject({ id: sessionIdParam.shape.id, name: z.string().max(80) });

/**
 * Stills: the dispatcher's snapshots of the live video, and the caller's photo uploads (the fallback
 * when live video fails). Both land in the session's folder and in its log.
 */
export function snapshotRoutes(sessions: SessionService, snapshots: SnapshotStore, io: () => SignallingServer | undefined) {
  const announce = (sessionId: string, snapshot: Awaited<ReturnType<SnapshotStore['save']>>) =>
    io()?.to(sessionChannel(sessionId)).emit('snapshot:added', { sessionId, snapshot });

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
        const snap = await snapshots.save(s.id, 'dispatcher', body);
        await sessions.record(s.id, 'snapshot', actorOf(principal), { name: snap.name, bytes: snap.bytes });
        announce(s.id, snap);
        return snap;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/photos',
      access: { session: ['caller'] },
      params: sessionIdParam,
      raw: { types: IMAGE_TYPES, limit: '12mb' },
      body: imageBody,
      status: 201,
      async handle({ params, body, principal }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'publish');
        const snap = await snapshots.save(s.id, 'caller', body);
        await sessions.record(s.id, 'photo_uploaded', 'caller', { name: snap.name, bytes: snap.bytes });
        announce(s.id, snap);
        return snap;
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
      async handle({ params, principal, res }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'view');
        const { data, contentType } = await snapshots.read(s.id, params.name);
        res.set({ 'Content-Type': contentType, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' }).send(data);
      },
    }),
  ];
}
