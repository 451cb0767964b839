import { GoneError, NotFoundError } from '../errors.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import { failureReason } from './RedeemLimiter.js';

/**
 * Wraps the routes that take an invite code without redeeming it (the page's "opened" report, a
 * photo before the tap): an unknown, spent or expired invite is recorded as `invite_refused` (reason
 * `unknown`, `used`, `expired` or `ended`) and its error goes on to the client.
 */
export function recordInviteRefusals(security: SecurityEvents) {
  return async <T>(route: string, key: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof GoneError) security.record({ kind: 'invite_refused', reason: failureReason(err), route, key });
      throw err;
    }
  };
}
