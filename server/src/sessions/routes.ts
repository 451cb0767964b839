import { isSessionStatus, type RecordingPolicy, type SessionSummary, type StaffSettings } from '@sightline/shared';
import type { Principal } from '../auth/TokenService.js';
import type { InviteService } from '../invites/InviteService.js';
import type { Limit } from '../ratelimit/limits.js';
import { ValidationError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import type { SmsDispatch } from '../sms/SmsDispatch.js';
import type { SessionRecord } from '../store/Store.js';
import { actorOf } from './access.js';
import { sessionRoute } from './sessionRoute.js';
import type { SessionService } from './SessionService.js';

/** What the session routes need from elsewhere: the caller's invite and SMS, recording state, and the supervisor's trail. */
export interface SessionRouteDeps {
  /** A new session comes with its caller invite, whose link the console shows. */
  invites: Pick<InviteService, 'create' | 'inviteUrl' | 'inviteViewer' | 'inviteExpiresAt'>;
  /** Resending the caller's link; a viewer's link by SMS. */
  sms: Pick<SmsDispatch, 'send' | 'sendViewerLink'>;
  /** What `GET /api/settings` answers: DEFAULT_COUNTRY for the phone fields, LOCALE and the centre's time zone for the staff pages. */
  staffSettings: StaffSettings;
  /** The deployment's recording policy and whether this session is recording now (asked of the node carrying it). */
  recording(session: SessionRecord): Promise<{ policy: RecordingPolicy; active: boolean }>;
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
    defineRoute('POST /api/sessions', {
      access: dispatcherOnly,
      status: 201,
      async handle({ body, principal }) {
        await limits.sessions.take(username(principal));
        await limits.sms.take(username(principal));
        const s = await deps.invites.create(username(principal), body);
        return { id: s.id, status: s.status, inviteUrl: deps.invites.inviteUrl(s.inviteCode) };
      },
    }),
    defineRoute('GET /api/sessions', {
      access: staffOnly,
      async handle({ query, principal }) {
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
    sessionRoute(sessions, 'GET /api/sessions/:id', {
      access: staffOnly,
      action: 'view',
      async handle({ session: s, principal }) {
        const isOwner = principal.typ === 'staff' && principal.role === 'dispatcher';
        // A supervisor's look is on the record before this runs (the route gate), visible in the same timeline.
        return {
          ...summary(s),
          ...(isOwner &&
            s.status !== 'ended' && { inviteUrl: deps.invites.inviteUrl(s.inviteCode), inviteExpiresAt: await deps.invites.inviteExpiresAt(s.inviteCode) }),
          recording: await deps.recording(s),
          ...(s.mediaNode && { mediaNode: s.mediaNode }),
          events: await sessions.events(s.id),
        };
      },
    }),
    sessionRoute(sessions, 'POST /api/sessions/:id/end', {
      access: dispatcherOnly,
      action: 'end',
      async handle({ session: s, principal }) {
        await sessions.end(s.id, actorOf(principal), 'dispatcher');
        return { id: s.id, status: 'ended' };
      },
    }),
    defineRoute('GET /api/settings', {
      access: staffOnly,
      async handle() {
        return deps.staffSettings;
      },
    }),
    sessionRoute(sessions, 'POST /api/sessions/:id/viewers/sms', {
      access: dispatcherOnly,
      action: 'control',
      status: 201,
      // A fresh view-only invite per number: an invite lets one browser in, so each crew gets its own.
      async handle({ session: s, body, principal }) {
        await limits.sms.take(username(principal));
        const link = await deps.invites.inviteViewer(s.id, actorOf(principal), body.label);
        return deps.sms.sendViewerLink(s, body.phone, link, actorOf(principal));
      },
    }),
    sessionRoute(sessions, 'POST /api/sessions/:id/sms', {
      access: dispatcherOnly,
      action: 'control',
      status: 202,
      async handle({ session: s, principal }) {
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
