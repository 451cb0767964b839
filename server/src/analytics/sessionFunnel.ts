import { FUNNEL_STAGES, type FailureCause, type FunnelStage, type SessionEvent, type SessionEventType } from '@sightline/shared';
import { SERVER_RESTART } from '../store/restoreMemoryIndex.js';

/**
 * Where one session got on the way to video, read from its log alone (the log is the authority:
 * the same answer on every node, after a restart, and for `npx sightline demo-data`'s sessions).
 */
export interface SessionFunnel {
  /** The `created` event's time, ISO 8601 UTC. */
  createdAt: string;
  /** The caller's language as created (`created` details), if logged. */
  language?: string;
  /** The first event of each stage the session reached, ms since the epoch (`first_frame`: the first report of all). */
  reached: Partial<Record<FunnelStage, number>>;
  /**
   * `video`: a first frame reached the console. `failed`: the session ended without one (its `cause`
   * says why). `in_progress`: not ended and no frame yet: still waiting or on its way, counted in
   * `sessions` and the stages it reached but never as a failure (it may yet show video).
   */
  outcome: 'video' | 'failed' | 'in_progress';
  /** Set exactly when `outcome` is `failed`. */
  cause?: FailureCause;
  /** The `created` event says `details.synthetic: true` (`npx sightline demo-data`). */
  synthetic: boolean;
}

/**
 * The session's funnel: when it reached each stage, and for a session that ended without a first
 * frame, one failure cause. The cause is the first that fits, in this order (the refinement of
 * shared/src/analytics/funnel.ts's list, reading "never" as "not by the end"):
 * 1. `sms_failed`: the link was never opened and the last SMS outcome logged (`sms_sent`,
 *    `sms_delivered`, `sms_failed`) is a failure (a resend that went out makes it `never_opened`);
 * 2. `never_opened`: the link was never opened (`link_opened`, the page's own report);
 * 3. `browser_unsupported`: the page reported a browser that cannot send live video and the caller
 *    never consented (in that one or another);
 * 4. `consent_declined`: opened, never consented (the page has no "no": not tapping Start counts);
 * 5. `camera_denied`: consented, the camera was refused and never granted;
 * 6. `other`: the caller stopped the video for good (`video_stopped`) before any frame;
 * 7. `network_failure`: the camera was granted and media started (`media_started`) or the
 *    connection was lost (`reconnecting`, `media_reset`), yet no frame reached a console; or no
 *    media ever came and the session ended idle (reason `idle`: its transport never connected);
 * 8. `ended_before_video`: ended while the caller was still on the way (consented, camera granted
 *    or not yet decided, no media yet);
 * 9. `other`: nothing above fits (a log without these steps).
 * Before all of them: a session the service itself ended (`ended` reason `server_restart`) is
 * `other`, whatever stage it had reached: the failure is ours, not the caller's or the network's.
 */
export function sessionFunnel(events: readonly SessionEvent[]): SessionFunnel {
  const reached: Partial<Record<FunnelStage, number>> = {};
  const seen = new Set<SessionEventType>();
  let lastSms: SessionEventType | undefined;
  for (const e of events) {
    seen.add(e.type);
    if (isStage(e.type) && reached[e.type] === undefined) reached[e.type] = Date.parse(e.at);
    if (e.type === 'sms_sent' || e.type === 'sms_delivered' || e.type === 'sms_failed') lastSms = e.type;
  }
  const created = events.find((e) => e.type === 'created');
  const language = created?.details?.['language'];
  const outcome = seen.has('first_frame') ? 'video' : seen.has('ended') ? 'failed' : 'in_progress';
  const endedBy = events.find((e) => e.type === 'ended')?.details?.['reason'];
  return {
    createdAt: created?.at ?? events[0]?.at ?? new Date(0).toISOString(),
    ...(typeof language === 'string' && { language }),
    reached,
    outcome,
    ...(outcome === 'failed' && { cause: endedBy === SERVER_RESTART ? 'other' : causeOf(seen, lastSms, endedBy) }),
    synthetic: created?.details?.['synthetic'] === true,
  };
}

function causeOf(seen: ReadonlySet<SessionEventType>, lastSms: SessionEventType | undefined, endedBy: unknown): FailureCause {
  const has = (t: SessionEventType) => seen.has(t);
  if (!has('link_opened')) return lastSms === 'sms_failed' ? 'sms_failed' : 'never_opened';
  if (!has('consent_given')) return has('browser_unsupported') ? 'browser_unsupported' : 'consent_declined';
  if (has('camera_denied') && !has('camera_granted')) return 'camera_denied';
  if (has('video_stopped')) return 'other';
  // A granted camera whose media never came until the session timed out idle: its transport never
  // connected (ICE or DTLS on a weak network), the same failure as media that started and was lost.
  if (has('camera_granted') && (has('media_started') || has('reconnecting') || has('media_reset') || endedBy === 'idle')) return 'network_failure';
  if (has('consent_given')) return 'ended_before_video';
  return 'other';
}

function isStage(type: SessionEventType): type is FunnelStage {
  return (FUNNEL_STAGES as readonly string[]).includes(type);
}
