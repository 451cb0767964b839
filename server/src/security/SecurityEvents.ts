import { EventEmitter } from 'node:events';
import type { Logger } from '../logging.js';

/**
 * The kinds of security event the service records (docs/security.md, "Security events"). One list,
 * so `/metrics` labels and log lines use the same words. Add a kind here before recording it.
 */
export const SECURITY_EVENT_KINDS = [
  'login_failed',
  'login_limited',
  'invite_refused',
  'code_failed',
  'code_limited',
  'code_budget_tripped',
  'rate_limited',
  'socket_refused',
  'socket_dropped',
  'pretap_refused',
  'token_revoked',
  'webhook_refused',
  'upload_refused',
  'log_broken',
  'log_repaired',
] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

/** What one event carries: never a secret (no tokens, codes or passwords; phone numbers masked). */
export interface SecurityEvent {
  kind: SecurityEventKind;
  /** Machine-readable cause, e.g. 'unknown_code', 'expired', 'bad_password'. */
  reason?: string;
  /** The client key the limit was applied to (an address or its IPv6 /64, a username, a token id). */
  key?: string;
  sessionId?: string;
  [field: string]: unknown;
}

interface SecurityEventsEvents {
  event: [SecurityEvent];
}

/**
 * Every refused attempt, failed login and limit hit goes through here: logged (pino, warn) and
 * handed to observers (`/metrics` counts them by kind). Observers that throw are logged and never
 * fail the request that recorded the event.
 */
export class SecurityEvents extends EventEmitter<SecurityEventsEvents> {
  constructor(private readonly log: Logger) {
    super();
  }

  record(event: SecurityEvent): void {
    this.log.warn({ security: event.kind, ...event }, `security: ${event.kind}`);
    for (const listener of this.listeners('event')) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err: (err as Error).message, kind: event.kind }, 'security event observer failed');
      }
    }
  }
}
