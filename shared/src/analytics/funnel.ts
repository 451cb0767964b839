import { z } from '../zod.js';
import { freeText } from '../text.js';

/**
 * The time-to-video funnel (issue #16 §1; CONTRACT.md "Analytics and integration"): the stages a
 * session passes on its way from "link sent" to the first picture on the dispatcher's screen, in
 * order. Each is the first log event of that type; `first_frame` is the console's report that it
 * decoded a frame (logged once per media start).
 */
export const FUNNEL_STAGES = ['created', 'sms_sent', 'sms_delivered', 'link_opened', 'consent_given', 'camera_granted', 'first_frame'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/**
 * Why a session never showed video, one cause per such session, decided in this order (the first that
 * fits): the SMS failed and the page was never opened (`sms_failed`); the link was never opened
 * (`never_opened`); the page loaded in a browser that cannot send live video (`browser_unsupported`);
 * the page was opened but the caller never consented (`consent_declined`; the page has no explicit
 * "no", so a caller who never tapped Start counts here); the camera was refused and never granted
 * (`camera_denied`); the camera was granted but no frame reached the console while media started or
 * the connection was lost (`network_failure`); the session ended with the caller still on the way
 * (`ended_before_video`); anything else (`other`). A session the service itself ended (a restart)
 * is `other` whatever stage it had reached: the failure is ours, not the caller's.
 *
 * Operators name technical failures and callers who cannot follow instructions as the reasons video
 * is not used (issue #16, "Why"); the list separates the two.
 */
export const FAILURE_CAUSES = [
  'sms_failed',
  'never_opened',
  'consent_declined',
  'camera_denied',
  'browser_unsupported',
  'network_failure',
  'ended_before_video',
  'other',
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** An ISO 8601 date (`2026-11-30`, the whole day on the centre's calendar, TZ) or date-time with an offset. */
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * `GET /api/analytics/funnel` and `GET /api/analytics/sessions.csv`: sessions created in [from, to]
 * (a bare `to` date includes its whole day), of one dispatcher or of the whole centre.
 */
export const analyticsQuery = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  dispatcher: freeText(64).optional(),
});
export type AnalyticsQuery = z.infer<typeof analyticsQuery>;

/**
 * One stage of the funnel. `reached`: sessions that got there. `p50Ms`/`p90Ms`: median and 90th
 * percentile of the time from the session's first `sms_sent` to its first event of this stage,
 * milliseconds, over the sessions that reached both (nearest-rank percentiles); `null` for `created`
 * (it comes before the SMS) and where no session reached the stage.
 */
export interface FunnelStageFigures {
  name: FunnelStage;
  reached: number;
  p50Ms: number | null;
  p90Ms: number | null;
}

/** Uptake in one ISO week (`2026-W48`, Monday to Sunday on the centre's calendar, TZ): sessions created, and how many showed video. */
export interface FunnelWeek {
  week: string;
  sessions: number;
  withVideo: number;
}

/** `GET /api/analytics/funnel` (supervisor). `failures` lists every cause, zero included. */
export interface FunnelResponse {
  sessions: number;
  stages: FunnelStageFigures[];
  failures: Record<FailureCause, number>;
  weeks: FunnelWeek[];
  /** Sessions marked synthetic (`npx sightline demo-data`) among `sessions`. */
  synthetic: number;
}
