import {
  createSessionRequest,
  isSessionStatus,
  listSessionsQuery,
  sessionIdParam,
  type CreateSessionResponse,
  type SessionDetail,
  type SessionSummary,
} from '@sightline/shared';
import type { Principal } from '../auth/tokens.js';
import { ValidationError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import type { SessionRecord } from '../store/Store.js';
import { actorOf, authorizeSession } from './access.js';
import type { SessionService } from './SessionService.js';

export function sessionRoutes(sessions: SessionService) {
  const summary = (s: SessionRecord): SessionSummary => ({
    id: s.id,
    status: s.status,
    phone: s.phone,
    incidentRef: s.incidentRef,
    language: s.language,
    dispatcher: s.dispatcher,
    createdAt: s.createdAt,
    endedAt: s.endedAt,
  });
  const staffOnly = { staff: ['dispatcher', 'supervisor'] } as const;
  const dispatcherOnly = { staff: ['dispatcher'] } as const;

  return [
    defineRoute({
      method: 'post',
      path: '/api/sessions',
      access: dispatcherOnly,
      body: createSessionRequest,
      status: 201,
      async handle({ body, principal }): Promise<CreateSessionResponse> {
        const s = await sessions.create(username(principal), body);
        return { id: s.id, status: s.status, inviteUrl: sessions.inviteUrl(s.inviteCode) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions',
      access: staffOnly,
      query: listSessionsQuery,
      async handle({ query, principal }): Promise<{ sessions: SessionSummary[] }> {
        if (query.status !== undefined && !isSessionStatus(query.status)) throw new ValidationError(`unknown status ${query.status}`);
        const mine = principal.typ === 'staff' && principal.role === 'dispatcher' ? { dispatcher: principal.username } : {};
        const list = await sessions.list({ ...query, status: query.status as SessionRecord['status'] | undefined, ...mine });
        return { sessions: list.map(summary) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions/:id',
      access: staffOnly,
      params: sessionIdParam,
      async handle({ params, principal }): Promise<SessionDetail> {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'view');
        const isOwner = principal.typ === 'staff' && principal.role === 'dispatcher';
        return {
          ...summary(s),
          ...(isOwner && s.status !== 'ended' && { inviteUrl: sessions.inviteUrl(s.inviteCode) }),
          events: await sessions.events(s.id),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/end',
      access: dispatcherOnly,
      params: sessionIdParam,
      async handle({ params, principal }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'control');
        await sessions.end(s.id, actorOf(principal), 'dispatcher');
        return { id: s.id, status: 'ended' };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/sms',
      access: dispatcherOnly,
      params: sessionIdParam,
      status: 202,
      async handle({ params, principal }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'control');
        await sessions.sendSms(s, actorOf(principal));
        return { id: s.id, status: (await sessions.get(s.id)).status };
      },
    }),
  ];
}

function username(p: Principal): string {
  if (p.typ !== 'staff') throw new Error('staff principal expected');
  return p.username;
}
