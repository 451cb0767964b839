import { z } from '../zod.js';
import { freeText } from '../text.js';
import type { SessionEvent, SessionStatus } from '../sessions/lifecycle.js';
import { sessionIdSchema } from '../sessions/sessionId.js';

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

/** E.164: a plus, a country code and up to 15 digits in all. Spaces are tolerated and stripped. */
export const e164Phone = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone must be in E.164 form, e.g. +4791234567'));

export const createSessionRequest = z.strictObject({
  phone: e164Phone,
  incidentRef: freeText(64).optional(),
  language: z.enum(LANGUAGES).optional(),
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
  recording?: { policy: string; active: boolean };
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

/** Deployment-wide recording policy (PRODUCT.md, "Recording and retention"). */
export type RecordingPolicy = 'off' | 'on-demand' | 'always';

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
