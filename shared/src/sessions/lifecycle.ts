/**
 * The session lifecycle of PRODUCT.md. The order matters: a session only moves forward along it
 * (except live <-> reconnecting), and the console explains "no video yet" by showing where it stands.
 */
export const SESSION_STATUSES = [
  'created',
  'sms_sent',
  'sms_delivered',
  'sms_failed',
  'link_opened',
  'consent_given',
  'camera_granted',
  'camera_denied',
  'live',
  'reconnecting',
  'ended',
] as const;

export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Event types in a session's log. Lifecycle statuses are events too; others do not change the status. */
export const SESSION_EVENT_TYPES = [
  ...SESSION_STATUSES,
  'media_started',
  'media_ended',
  'media_paused',
  'media_resumed',
  /** The caller stopped the video for good with the page's stop button (consent to video withdrawn); the call goes on. */
  'video_stopped',
  'camera_flipped',
  'control_requested',
  'control_answered',
  'chat',
  'location',
  'snapshot',
  'photo_uploaded',
  'viewer_invited',
  'viewer_joined',
  /** A viewer's link sent by SMS (details: to, masked; provider; sent; reason when not). */
  'viewer_sms',
  'sms_resend',
  /** A delivery callback from the SMS provider, whatever it changed (details: providerMessageId, providerStatus, errorCode?, newest, applied). */
  'sms_status',
  'code_issued',
  'code_redeemed',
  'code_failed',
  /** The session's live spoken code was replaced by a new one (details: expiresAt, reason `guess_budget`); never the code itself. */
  'code_replaced',
  'recording_started',
  'recording_ended',
  'recording_failed',
  'media_deleted',
  'legal_hold',
  'supervisor_viewed',
  'recording_played',
  'session_exported',
  'media_reset',
  /** The caller page loaded in a browser that cannot send live video (details: reason, browser). */
  'browser_unsupported',
  // CPR coach (issue #15 §2; shared/src/sessions/cpr.ts): measured by the dispatcher's console, a coaching aid.
  /** The dispatcher switched CPR mode on. */
  'cpr_started',
  /** One measured window (details: rate, per minute, or null; quality `ok` | `none`; seconds; handsOffSeconds). */
  'cpr_window',
  /** No compressions for at least 2 s (details: seconds). */
  'cpr_pause',
  /** CPR mode off (details: reason `dispatcher`). An episode open when the session ends closes with the session. */
  'cpr_ended',
  /** The caller's metronome started or stopped (details: on, bpm). */
  'cpr_metronome',
  // Show me (issue #15 §1).
  /** The dispatcher started showing the caller a picture (details: source, `camera` or a clip name). */
  'show_me_started',
  /** The showing ended (details: reason, one of SHOW_ME_END_REASONS; source). */
  'show_me_ended',
  // Time-to-video (issue #16 §1; shared/src/analytics/funnel.ts).
  /** The dispatcher's console decoded the first frame of a media start (details: producerId, msSinceMediaStarted, and on the session's first msSinceSmsSent; server/src/analytics/FirstFrames.ts); once per media start. */
  'first_frame',
] as const;

export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

export type Actor = `dispatcher:${string}` | 'caller' | `viewer:${string}` | 'system' | `supervisor:${string}`;

export interface SessionEvent {
  seq: number;
  type: SessionEventType;
  /** ISO 8601 UTC. */
  at: string;
  actor: string;
  details?: Record<string, unknown>;
}

/** Rank used to ignore stale transitions (e.g. a late "sms_delivered" after the caller is already live). */
const RANK: Record<SessionStatus, number> = {
  created: 0,
  sms_sent: 1,
  sms_failed: 2,
  sms_delivered: 2,
  link_opened: 3,
  consent_given: 4,
  camera_denied: 5,
  camera_granted: 5,
  live: 6,
  reconnecting: 6,
  ended: 9,
};

export function isSessionStatus(value: string): value is SessionStatus {
  return (SESSION_STATUSES as readonly string[]).includes(value);
}

/**
 * The statuses before the caller opens the link. Among them the SMS decides: the status follows the
 * newest message's delivery (a resend after a failure goes back to `sms_sent`, then on to
 * `sms_delivered`), which `canTransition`'s forward-only order does not allow (issue #10, kind 10).
 */
export const SMS_PHASE_STATUSES = ['created', 'sms_sent', 'sms_delivered', 'sms_failed'] as const satisfies readonly SessionStatus[];

export function isSmsPhase(status: SessionStatus): status is (typeof SMS_PHASE_STATUSES)[number] {
  return (SMS_PHASE_STATUSES as readonly string[]).includes(status);
}

/** Whether `next` may replace `current` as the session's status. */
export function canTransition(current: SessionStatus, next: SessionStatus): boolean {
  if (current === 'ended') return false;
  if (next === 'ended') return true;
  // A denied camera can be granted on a second try; live and reconnecting alternate.
  if (current === 'camera_denied' && next === 'camera_granted') return true;
  if (current === 'live' && next === 'reconnecting') return true;
  if (current === 'reconnecting' && next === 'live') return true;
  return RANK[next] > RANK[current];
}

/**
 * Whether a segment is being recorded after this event: `true` on `recording_started`, `false` when
 * a segment is over (`recording_ended`, or `recording_failed`, which ends a segment without a
 * playable file, e.g. one stopped before its first key frame), `undefined` for every other event.
 * The caller's "● REC" and the console's record button both follow it, so neither stays on after
 * a failed segment.
 */
export function recordingAfter(type: SessionEventType): boolean | undefined {
  if (type === 'recording_started') return true;
  if (type === 'recording_ended' || type === 'recording_failed') return false;
  return undefined;
}
