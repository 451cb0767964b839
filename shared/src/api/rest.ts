import { z } from '../zod.js';
import { freeText } from '../text.js';
import { mobilePhone, type PhoneCountry } from '../phone.js';
import { pageReport } from '../sessions/browser.js';
import type { SessionEvent, SessionStatus } from '../sessions/lifecycle.js';
import { sessionIdSchema } from '../sessions/sessionId.js';
import type { GoneReason } from './errors.js';

/** Languages the caller page speaks (PRODUCT.md). */
export const LANGUAGES = ['nb', 'nn', 'sv', 'da', 'fi', 'en', 'ar', 'pl', 'so', 'uk'] as const;
export type Language = (typeof LANGUAGES)[number];

export const ROLES = ['dispatcher', 'supervisor'] as const;
export type StaffRole = (typeof ROLES)[number];

export const loginRequest = z.strictObject({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof loginRequest>;

export interface LoginResponse {
  token: string;
  role: StaffRole;
}

/** Pure (as `mobilePhone`, phone.ts): the caller's page, which never makes one, leaves the phone data out. */
export const createSessionRequest = /* @__PURE__ */ z.strictObject({
  /** The caller's mobile, international form; stored and sent as E.164 (phone.ts). */
  phone: mobilePhone,
  incidentRef: /* @__PURE__ */ freeText(64).optional(),
  language: /* @__PURE__ */ z.enum(LANGUAGES).optional(),
});
export type CreateSessionRequest = z.input<typeof createSessionRequest>;

export const listSessionsQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  status: z.string().max(32).optional(),
  incidentRef: freeText(64).optional(),
  dispatcher: freeText(64).optional(),
  hasRecording: z.enum(['true', 'false']).optional(),
});
export type ListSessionsQuery = z.infer<typeof listSessionsQuery>;

export const sessionIdParam = z.strictObject({ id: sessionIdSchema });
export const inviteCodeParam = z.strictObject({ code: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });

/**
 * A session as staff see it in a listing. The server's stored record (store/Store.ts `SessionRecord`)
 * is this plus what stays on the server (invite code, media node, SMS id).
 */
export interface SessionSummary {
  id: string;
  status: SessionStatus;
  phone: string;
  incidentRef?: string;
  language: Language;
  dispatcher: string;
  createdAt: string;
  endedAt?: string;
  /** Supervisor listings only. */
  hasRecording?: boolean;
}

export interface CreateSessionResponse {
  id: string;
  status: SessionStatus;
  inviteUrl: string;
}

export interface SessionDetail extends SessionSummary {
  inviteUrl?: string;
  /** The caller invite's end (ISO 8601): unopened by then, the session ends (`invite_expired`). Its dispatcher only, while not ended. */
  inviteExpiresAt?: string;
  recording?: { policy: RecordingPolicy; active: boolean };
  /** Several nodes: the node carrying the session's media (operations and tests). */
  mediaNode?: string;
  events: SessionEvent[];
}

export const legalHoldRequest = z.strictObject({ hold: z.boolean(), reason: freeText(200).optional() });

/**
 * The answer to a caller page's `POST /api/invites/:code/opened` (issue #12): a pre-tap credential for
 * a live, unspent caller invite whose browser can stream. It lets the page set up its send transport
 * before the tap, and nothing else (docs/security.md, "Before the tap"). Absent for a viewer invite or
 * a browser that cannot stream (the answer is then empty: 204).
 */
export interface OpenedResponse {
  pretap: { token: string; sessionId: string };
}

export interface RedeemResponse {
  token: string;
  sessionId: string;
  role: 'caller' | 'viewer';
}

/** Deployment-wide recording policy (PRODUCT.md, "Recording and retention"; env `RECORDING_POLICY`). */
export const RECORDING_POLICIES = ['off', 'on-demand', 'always'] as const;
export type RecordingPolicy = (typeof RECORDING_POLICIES)[number];

/**
 * The answer to `GET /api/invites/:code`: what the page needs before the tap (its language, the
 * recording policy to state), without redeeming anything. `valid`: whether a tap would still work;
 * `reason` says why not.
 */
export interface InvitePeek {
  role: 'caller' | 'viewer';
  language: Language;
  recording: RecordingPolicy;
  /** Who is asking, named on the caller page (the server's CENTRE_NAME). */
  centre: string;
  valid: boolean;
  reason?: GoneReason;
}

/** One recorded segment of a session, as kept in `$DATA_DIR/sessions/<id>/recordings/index.json`. */
export interface RecordingInfo {
  /** File name inside the session's recordings directory, e.g. `segment-0001.mkv`. */
  name: string;
  /** 1-based, increasing per session across restarts. */
  segment: number;
  /** ISO 8601 UTC. */
  startedAt: string;
  endedAt?: string;
  bytes?: number;
  durationSec?: number;
  /** Codec names as ffprobe spells them (`vp8`, `h264`, `opus`). */
  codecs: string[];
  status: 'recording' | 'finished' | 'failed';
}

/** Body of `POST /api/sessions/:id/recording`: the dispatcher starts or stops an on-demand recording. */
export const recordingControlRequest = z.strictObject({ action: z.enum(['start', 'stop']) });

/** Body of `POST /api/sessions/:id/viewers`: an optional label for the view-only invite (who it is for). */
export const viewerInviteRequest = z.strictObject({ label: freeText(64).optional() });

/**
 * Body of `POST /api/sessions/:id/viewers/sms`: a new view-only invite whose link goes by SMS to
 * `phone` (a mobile, international form, as for the caller: phone.ts), e.g. the ambulance crew's.
 * Pure, as createSessionRequest.
 */
export const viewerSmsRequest = /* @__PURE__ */ z.strictObject({ phone: mobilePhone, label: /* @__PURE__ */ freeText(64).optional() });

/**
 * The answer to `POST /api/sessions/:id/viewers/sms` (201): `to` is the number in E.164; `sent`
 * false when the SMS provider refused it, with its `reason` (SmsFailureReason on the server).
 */
export interface ViewerSmsResponse {
  to: string;
  sent: boolean;
  reason?: string;
}

/**
 * The languages of the staff pages (console, /audit): Norwegian bokmål and English (issue #16 §4).
 * BCP 47 tags; the caller page has its own, longer list (LANGUAGES).
 */
export const STAFF_LOCALES = ['nb', 'en'] as const;
export type StaffLocale = (typeof STAFF_LOCALES)[number];

export function isStaffLocale(value: string): value is StaffLocale {
  return (STAFF_LOCALES as readonly string[]).includes(value);
}

/** `GET /api/settings`: what the staff pages need of the deployment's configuration. */
export interface StaffSettings {
  /** DEFAULT_COUNTRY: the console takes this country's numbers without a country code. */
  defaultCountry: PhoneCountry;
  /** LOCALE: the staff pages' language for a user who has not chosen one. */
  locale: StaffLocale;
  /** The centre's time zone (the server's TZ), an IANA name such as `Europe/Oslo`: staff pages show every time in it. */
  timeZone: string;
}

/** Body of `POST /api/codes/redeem`. `browser`: the `/c` page's report of its browser (it could not send one before: it knew no invite). */
export const spokenCodeRequest = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'the code has 6 digits'),
  browser: pageReport.optional(),
});

/** `POST /api/sessions/:id/code` → 201: a 6-digit spoken code for the caller's invite, valid until `expiresAt` (ISO 8601). */
export interface SpokenCodeResponse {
  code: string;
  expiresAt: string;
}

/** Path of one recorded segment or one still of a session. */
export const recordingFileParam = z.strictObject({ id: sessionIdParam.shape.id, name: z.string().max(120) });
export const snapshotFileParam = z.strictObject({ id: sessionIdParam.shape.id, name: z.string().max(80) });

/**
 * A raw image upload (`POST /api/sessions/:id/snapshots`, `/photos`, `/api/invites/:code/photos`):
 * the server reads the body as bytes (a Node Buffer is a Uint8Array). Anything else, no body or a
 * content type that is not an image, is refused with this message.
 */
export const imageUpload = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'an image body (image/jpeg, image/png or image/webp) is required' });

/**
 * A hash-chained log's verification as REST gives it (`GET /api/sessions/:id/verify`, the access
 * log's `integrity`): `firstBadSeq`, `reason` and `link` (which check failed) only when broken.
 */
export interface VerifyResponse {
  intact: boolean;
  records: number;
  firstBadSeq?: number;
  reason?: string;
  link?: string;
}

/** One record of a hash-chained log (`log.jsonl`, CONTRACT.md "Files"), as the access log answers it. */
export interface LogRecord {
  seq: number;
  at: string;
  type: string;
  actor: string;
  details?: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
