import { addressKey } from '../http/clientAddress.js';
import { defineRoute } from '../http/route.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import { actorOf } from '../sessions/access.js';
import type { SessionService } from '../sessions/SessionService.js';
import { sessionRoute } from '../sessions/sessionRoute.js';
import type { InviteService } from './InviteService.js';
import type { GuessBudget } from './GuessBudget.js';
import type { RedeemLimiter } from './RedeemLimiter.js';
import type { Limit } from '../ratelimit/limits.js';
import { recordInviteRefusals } from './refusals.js';

/**
 * `guards`: per-address limits for invite links and for spoken codes (apart, so a caller's mistyped
 * link does not spend their code tries), and the deployment-wide budget of spoken-code guesses.
 */
export function inviteRoutes(
  sessions: SessionService,
  invites: InviteService,
  guards: { invites: RedeemLimiter; codes: RedeemLimiter; budget: GuessBudget; pretap: Limit },
  security: SecurityEvents,
) {
  const refused = recordInviteRefusals(security);
  return [
    defineRoute('GET /api/invites/:code', {
      access: 'public',
      // Lets the page speak the session's language and state the recording policy before the tap; redeems nothing.
      async handle({ params, req, res }) {
        res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
        return refused('peek', addressKey(req.ip), () => invites.peek(params.code));
      },
    }),
    defineRoute('POST /api/invites/:code/opened', {
      access: 'public',
      // The page's script reports that it loaded, and whether this browser can send live video. This, not
      // the GET of the link (previewers and scanners fetch links too), records link_opened. Redeems nothing.
      // A caller's page that can stream gets its pre-tap credential (200): it connects before the tap (issue #12).
      async handle({ params, body, req, res }) {
        res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
        const opened = await refused('opened', addressKey(req.ip), () => invites.opened(params.code, body));
        if (!opened) return undefined;
        // Past the cap the page connects after the tap instead (204): a slower start, never a refusal.
        const use = await guards.pretap.spend(opened.pretap.sessionId);
        if (use.allowed) return opened;
        security.record({ kind: 'rate_limited', reason: 'pretap_credentials', key: addressKey(req.ip), sessionId: opened.pretap.sessionId });
        return undefined;
      },
    }),
    defineRoute('GET /api/recording-policy', {
      access: 'public',
      // `/c` states the policy before the caller types a code, whose redemption is the consent.
      async handle() {
        return { recording: invites.recordingPolicy, centre: invites.centreName };
      },
    }),
    defineRoute('POST /api/invites/:code/redeem', {
      access: 'public',
      async handle({ params, req }) {
        return guards.invites.attempt(addressKey(req.ip), () => invites.redeem(params.code));
      },
    }),
    sessionRoute(sessions, 'POST /api/sessions/:id/code', {
      access: { staff: ['dispatcher'] },
      action: 'control',
      status: 201,
      async handle({ session: s, principal }) {
        return invites.issueSpokenCode(s.id, actorOf(principal));
      },
    }),
    defineRoute('POST /api/codes/redeem', {
      access: 'public',
      async handle({ body, req }) {
        const address = addressKey(req.ip);
        return guards.codes.attempt(address, () => guards.budget.guess(address, () => invites.redeemSpokenCode(body.code, body.browser)));
      },
    }),
    sessionRoute(sessions, 'POST /api/sessions/:id/viewers', {
      access: { staff: ['dispatcher'] },
      action: 'control',
      status: 201,
      async handle({ session: s, body, principal }) {
        return { inviteUrl: await invites.inviteViewer(s.id, actorOf(principal), body.label) };
      },
    }),
  ];
}
