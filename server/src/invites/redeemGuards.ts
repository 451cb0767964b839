import type { Limit } from '../ratelimit/limits.js';
import type { LimitName } from '../ratelimit/deploymentLimits.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import { GuessBudget } from './GuessBudget.js';
import type { InviteService } from './InviteService.js';
import { RedeemLimiter } from './RedeemLimiter.js';

/**
 * What guards redemption (invites/routes.ts): invite links and spoken codes each under the same
 * per-address limits but counted apart (a caller's mistyped code does not lock out their link), the
 * deployment-wide guess budget on spoken codes, and the pre-tap credentials a session may mint.
 */
export function redeemGuards(limit: (name: LimitName) => Limit, invites: InviteService, security: SecurityEvents) {
  const perAddress = { attempts: limit('redeemAttemptsPerAddress'), failures: limit('redeemFailuresPerAddress') };
  return {
    invites: new RedeemLimiter(perAddress, security, { failed: 'invite_refused', limited: 'rate_limited', prefix: 'invite' }),
    codes: new RedeemLimiter(perAddress, security, { failed: 'code_failed', limited: 'code_limited', prefix: 'code' }),
    budget: new GuessBudget(limit('codeFailureBudget'), limit('codeBudgetTrips'), invites, security),
    pretap: limit('pretapCredentialsPerSession'),
  };
}
