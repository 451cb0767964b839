import type { SessionStatus } from '../sessions/lifecycle.js';

/**
 * What Sightline posts to CAD and other systems (issue #16 §2), signed per the Standard Webhooks
 * specification (https://www.standardwebhooks.com: headers `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, HMAC-SHA256). Delivery is at least once: a receiver deduplicates on
 * `webhook-id`, which stays the same on every retry of one event.
 */
export const WEBHOOK_EVENT_TYPES = ['session.created', 'session.status_changed', 'session.ended', 'recording.ready', 'snapshot.saved'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * One webhook's JSON body. `timestamp`: when the event happened (ISO 8601 UTC). `data` carries ids,
 * statuses, times and the incident reference, never the caller's phone number or any token.
 */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: {
    sessionId: string;
    status?: SessionStatus;
    incidentRef?: string;
    /** session.status_changed: the status before. */
    previousStatus?: SessionStatus;
    /** session.ended: why (PRODUCT.md's end reasons, e.g. `dispatcher`, `invite_expired`). */
    reason?: string;
    /** recording.ready and snapshot.saved: the file's name in the session (fetch it through the staff API). */
    name?: string;
    /** snapshot.saved: who took it. */
    source?: 'dispatcher' | 'caller';
    bytes?: number;
    /** recording.ready: the segment's length, seconds. */
    durationSec?: number;
    /** The session log record this event comes from (its `seq`): with sessionId, a unique key. */
    seq: number;
  };
}
