import type { z } from '../zod.js';
import { pageReport } from '../sessions/browser.js';
import type { SnapshotInfo } from '../signalling/messages.js';
import type { SessionStatus } from '../sessions/lifecycle.js';
import { clipFileParam, type ClipInfo } from '../showMe.js';
import { analyticsQuery, type FunnelResponse } from '../analytics/funnel.js';
import type { EidoDocument } from './eido.js';
import {
  createSessionRequest,
  imageUpload,
  inviteCodeParam,
  legalHoldRequest,
  listSessionsQuery,
  loginRequest,
  recordingControlRequest,
  recordingFileParam,
  sessionIdParam,
  snapshotFileParam,
  spokenCodeRequest,
  viewerInviteRequest,
  viewerSmsRequest,
  type CreateSessionResponse,
  type InvitePeek,
  type LogRecord,
  type LoginResponse,
  type OpenedResponse,
  type RecordingInfo,
  type RecordingPolicy,
  type RedeemResponse,
  type SessionDetail,
  type SessionSummary,
  type SpokenCodeResponse,
  type StaffSettings,
  type ViewerSmsResponse,
  type VerifyResponse,
} from './rest.js';

/**
 * The REST contract, as `requestSchemas` + `ResponseMap` are the socket's: one entry per route, keyed
 * `"METHOD /path"` (express path syntax, CONTRACT.md names), with the zod schemas of its path
 * parameters, query and body (the server's one validation gate: http/route.ts parses with exactly
 * these) and the type of its success answer. The server's `defineRoute` only takes a key of this map
 * and a handler returning its answer; the client's `api()` takes a key and infers the answer.
 *
 * `answer<T>()` carries a type only: answers are the server's own making and are not parsed. `void`:
 * no JSON body (204, or bytes the handler writes itself: read those with `fetchWithToken`).
 * Success statuses (201, 202, 204) stay with the server's routes.
 */
export const restRoutes = {
  'POST /api/auth/login': { body: loginRequest, answer: answer<LoginResponse>() },
  /** A still-valid staff token of a live login buys a fresh one, up to the end of the shift. */
  'POST /api/auth/refresh': { answer: answer<LoginResponse>() },
  'POST /api/auth/logout': { answer: answer<void>() },

  'POST /api/sessions': { body: createSessionRequest, answer: answer<CreateSessionResponse>() },
  'GET /api/sessions': { query: listSessionsQuery, answer: answer<{ sessions: SessionSummary[] }>() },
  'GET /api/sessions/:id': { params: sessionIdParam, answer: answer<SessionDetail>() },
  'POST /api/sessions/:id/end': { params: sessionIdParam, answer: answer<{ id: string; status: 'ended' }>() },
  /** Resends the caller's link (202). */
  'POST /api/sessions/:id/sms': { params: sessionIdParam, answer: answer<{ id: string; status: SessionStatus }>() },
  'POST /api/sessions/:id/code': { params: sessionIdParam, answer: answer<SpokenCodeResponse>() },
  'POST /api/sessions/:id/viewers': { params: sessionIdParam, body: viewerInviteRequest, answer: answer<{ inviteUrl: string }>() },
  /** A new viewer invite whose link goes by SMS (201); the dispatcher never sees that link. */
  'POST /api/sessions/:id/viewers/sms': { params: sessionIdParam, body: viewerSmsRequest, answer: answer<ViewerSmsResponse>() },
  'GET /api/settings': { answer: answer<StaffSettings>() },

  'POST /api/sessions/:id/recording': { params: sessionIdParam, body: recordingControlRequest, answer: answer<{ active: boolean }>() },
  'GET /api/sessions/:id/recordings': { params: sessionIdParam, answer: answer<{ recordings: RecordingInfo[] }>() },
  /** The segment's bytes (video/x-matroska), Range requests answered. */
  'GET /api/sessions/:id/recordings/:name': { params: recordingFileParam, answer: answer<void>() },
  /** A supervisor's player started playing the segment (first play per segment per view): logged as `recording_played` (204). */
  'POST /api/sessions/:id/recordings/:name/played': { params: recordingFileParam, answer: answer<void>() },

  'POST /api/sessions/:id/snapshots': { params: sessionIdParam, body: imageUpload, answer: answer<SnapshotInfo>() },
  'GET /api/sessions/:id/snapshots': { params: sessionIdParam, answer: answer<{ snapshots: SnapshotInfo[] }>() },
  /** The still's bytes. */
  'GET /api/sessions/:id/snapshots/:name': { params: snapshotFileParam, answer: answer<void>() },
  'POST /api/sessions/:id/photos': { params: sessionIdParam, body: imageUpload, answer: answer<SnapshotInfo>() },

  'GET /api/sessions/:id/verify': { params: sessionIdParam, answer: answer<VerifyResponse>() },
  /** A gzip tar archive of the session's folder. */
  'GET /api/sessions/:id/export': { params: sessionIdParam, answer: answer<void>() },
  'POST /api/sessions/:id/hold': { params: sessionIdParam, body: legalHoldRequest, answer: answer<{ id: string; legalHold: boolean }>() },
  'GET /api/audit/access': { answer: answer<{ records: LogRecord[]; integrity: VerifyResponse }>() },

  'GET /api/invites/:code': { params: inviteCodeParam, answer: answer<InvitePeek>() },
  /** The page loaded; a caller's page that can stream gets its pre-tap credential (200), else 204. */
  'POST /api/invites/:code/opened': { params: inviteCodeParam, body: pageReport, answer: answer<OpenedResponse | undefined>() },
  'POST /api/invites/:code/redeem': { params: inviteCodeParam, answer: answer<RedeemResponse>() },
  'POST /api/invites/:code/photos': { params: inviteCodeParam, body: imageUpload, answer: answer<SnapshotInfo>() },
  'POST /api/codes/redeem': { body: spokenCodeRequest, answer: answer<RedeemResponse>() },
  /** What `/c` states before a code is typed: the recording policy and who is asking (CENTRE_NAME). */
  'GET /api/recording-policy': { answer: answer<{ recording: RecordingPolicy; centre: string }>() },
  /** The routers' RTP capabilities (mediasoup's `RtpCapabilities`: shared/ does not depend on mediasoup). */
  'GET /api/rtp-capabilities': { answer: answer<unknown>() },

  // Show me (issue #15 §1): the centre's demonstration clips, for the console to play to a caller.
  'GET /api/clips': { answer: answer<{ clips: ClipInfo[] }>() },
  /** The clip's bytes (video/webm), Range requests answered. */
  'GET /api/clips/:name': { params: clipFileParam, answer: answer<void>() },

  // Time-to-video analytics and hand-off (issue #16; shared/src/analytics/).
  /** The funnel of sessions created in the range (supervisor); logged in the access log. */
  'GET /api/analytics/funnel': { query: analyticsQuery, answer: answer<FunnelResponse>() },
  /** One anonymised row per session (text/csv; supervisor); logged in the access log. */
  'GET /api/analytics/sessions.csv': { query: analyticsQuery, answer: answer<void>() },
  /**
   * The session as a NENA EIDO document (NENA-STA-021, JSON; its dispatcher, supervisor). While the
   * session is live its media link is a view-only invite (minted or reused: a `viewer_invited` record).
   */
  'GET /api/sessions/:id/eido': { params: sessionIdParam, answer: answer<EidoDocument>() },
} as const satisfies Record<`${RestMethod} /api/${string}`, RouteContract>;

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A route's answer type, as a type only (see `restRoutes`). */
export interface Answer<T> {
  readonly answer?: T;
}
function answer<T>(): Answer<T> {
  return {};
}

/** What one entry of `restRoutes` holds. */
export interface RouteContract {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  answer: Answer<unknown>;
}

/** A key of the REST contract: `"GET /api/sessions/:id"`. */
export type RestRoute = keyof typeof restRoutes;
type Entry<K extends RestRoute> = (typeof restRoutes)[K];

/** What each route answers on success. */
export type RestAnswers = { [K in RestRoute]: Entry<K>['answer'] extends Answer<infer T> ? T : never };
/** What the route answers on success (an indexed access, so that a handler's literals such as `status: 'ended'` keep their type). */
export type RestAnswer<K extends RestRoute> = RestAnswers[K];

/** Params, query and body as the server's handler sees them (after parsing; `undefined` where the route has none). */
export type RestParams<K extends RestRoute> = Entry<K> extends { params: infer S extends z.ZodType } ? z.output<S> : undefined;
export type RestQuery<K extends RestRoute> = Entry<K> extends { query: infer S extends z.ZodType } ? z.output<S> : undefined;
export type RestBody<K extends RestRoute> = Entry<K> extends { body: infer S extends z.ZodType } ? z.output<S> : undefined;

/**
 * What a client sends with a request: `params` fill the path's `:name`s (required when it has any),
 * `query` the search string, `body` the JSON body (required when the route takes one), as the
 * schemas take them in.
 */
export type RestRequest<K extends RestRoute> = { token?: string } & (Entry<K> extends { params: infer S extends z.ZodType }
  ? { params: z.input<S> }
  : { params?: never }) &
  // URLSearchParams: a search form's fields as they are (the server's schema refuses what does not belong).
  (Entry<K> extends { query: infer S extends z.ZodType } ? { query?: z.input<S> | URLSearchParams } : { query?: never }) &
  (Entry<K> extends { body: infer S extends z.ZodType } ? { body: z.input<S> } : { body?: never });
