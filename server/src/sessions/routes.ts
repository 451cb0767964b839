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
import type { InviteService } from '../invites/InviteService.js';
import type { Limit } from '../ratelimit/limits.js';
import { ValidationError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import type { SmsDispatch } from '../sms/SmsDispatch.js';
import type { SessionRecord } from '../store/Store.js';
import { actorOf, authorizeSession } from './access.js';
import type { SessionService } from './SessionService.js';

/** What the session routes need from elsewhere: the caller's invite and SMS, recording state, and the supervisor's trail. */
export interface SessionRouteDeps {
  /** A new session comes with its caller invite, whose link the console shows. */
  invites: Pick<InviteService, 'create' | 'inviteUrl'>;
  /** Resending the caller's link. */
  sms: Pick<SmsDispatch, 'send'>;
  /** The deployment's recording policy and whether this session is recording now (asked of the node carrying it). */
  recording(session: SessionRecord): Promise<{ policy: string; active: boolean }>;
  /** Logs a supervisor's search in the access log. */
  searched(actor: string, query: Record<string, unknown>, results: number): Promise<void>;
  hasRecording(sessionId: string): Promise<boolean>;
}

export function sessionRoutes(sessions: SessionService, limits: { sessions: Limit; sms: Limit }, deps: SessionRouteDeps) {
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
        await limits.sessions.take(username(principal));
        await limits.sms.take(username(principal));
        const s = await deps.invites.create(username(principal), body);
        return { id: s.id, status: s.status, inviteUrl: deps.invites.inviteUrl(s.inviteCode) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions',
      access: staffOnly,
      query: listSessionsQuery,
      async handle({ query, principal }): Promise<{ sessions: SessionSummary[] }> {
        if (query.status !== undefined && !isSessionStatus(query.status)) throw new ValidationError(`unknown status ${query.status}`);
        const isSupervisor = principal.typ === 'staff' && principal.role === 'supervisor';
        const mine = isSupervisor ? {} : { dispatcher: (principal as { username: string }).username };
        const { hasRecording, ...filter } = query;
        const list = await sessions.list({ ...filter, status: query.status as SessionRecord['status'] | undefined, ...mine });
        if (!isSupervisor) return { sessions: list.map(summary) };
        const rows = await Promise.all(list.map(async (s) => ({ ...summary(s), hasRecording: await deps.hasRecording(s.id) })));
        const filtered = hasRecording === undefined ? rows : rows.filter((r) => r.hasRecording === (hasRecording === 'true'));
        await deps.searched(actorOf(principal), query, filtered.length);
        return { sessions: filtered };
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
        // A supervisor's look is on the record before this runs (the route gate), visible in the same timeline.
        return {
          ...summary(s),
          ...(isOwner && s.status !== 'ended' && { inviteUrl: deps.invites.inviteUrl(s.inviteCode) }),
          recording: await deps.recording(s),
          ...(s.mediaNode && { mediaNode: s.mediaNode }),
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
        authorizeSession(principal, s, 'end');
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
        await limits.sms.take(username(principal));
        await deps.sms.send(s, actorOf(principal));
        return { id: s.id, status: (await sessions.get(s.id)).status };
      },
    }),
  ];
}

function username(p: Principal): string {
  if (p.typ !== 'staff') throw new Error('staff principal expected');
  return p.username;
}
