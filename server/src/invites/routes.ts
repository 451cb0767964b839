import { freeText, inviteCodeParam, pageReport, sessionIdParam, type OpenedResponse, type RedeemResponse } from '@sightline/shared';
import { z } from 'zod';
import { addressKey } from '../http/clientAddress.js';
import { defineRoute } from '../http/route.js';
import type { SecurityEvents } from '../security/SecurityEvents.js';
import { actorOf, authorizeSession } from '../sessions/access.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { InvitePeek, InviteService } from './InviteService.js';
import type { GuessBudget } from './GuessBudget.js';
import type { RedeemLimiter } from './redeemLimiter.js';
import type { Limit } from '../ratelimit/limits.js';
import { recordInviteRefusals } from './refusals.js';

/** `browser`: the `/c` page's report of its browser (it could not send one before: it knew no invite). */
const spokenCode = z.strictObject({ code: z.string().trim().regex(/^\d{6}$/, 'the code has 6 digits'), browser: pageReport.optional() });
const viewerBody = z.strictObject({ label: freeText(64).optional() });

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
    defineRoute({
      method: 'get',
      path: '/api/invites/:code',
      access: 'public',
      params: inviteCodeParam,
      // Lets the page speak the session's language and state the recording policy before the tap; redeems nothing.
      async handle({ params, req, res }) {
        res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
        return refused('peek', addressKey(req.ip), () => invites.peek(params.code));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/invites/:code/opened',
      access: 'public',
      params: inviteCodeParam,
      body: pageReport,
      // The page's script reports that it loaded, and whether this browser can send live video. This, not
      // the GET of the link (previewers and scanners fetch links too), records link_opened. Redeems nothing.
      // A caller's page that can stream gets its pre-tap credential (200): it connects before the tap (issue #12).
      async handle({ params, body, req, res }): Promise<OpenedResponse | undefined> {
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
    defineRoute({
      method: 'get',
      path: '/api/recording-policy',
      access: 'public',
      // `/c` states the policy before the caller types a code, whose redemption is the consent.
      async handle(): Promise<{ recording: InvitePeek['recording'] }> {
        return { recording: invites.recordingPolicy };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/invites/:code/redeem',
      access: 'public',
      params: inviteCodeParam,
      async handle({ params, req }): Promise<RedeemResponse> {
        return guards.invites.attempt(addressKey(req.ip), () => invites.redeem(params.code));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/code',
      access: { staff: ['dispatcher'] },
      params: sessionIdParam,
      status: 201,
      async handle({ params, principal }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'control');
        return invites.issueSpokenCode(s.id, actorOf(principal));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/codes/redeem',
      access: 'public',
      body: spokenCode,
      async handle({ body, req }): Promise<RedeemResponse> {
        const address = addressKey(req.ip);
        return guards.codes.attempt(address, () => guards.budget.guess(address, () => invites.redeemSpokenCode(body.code, body.browser)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/viewers',
      access: { staff: ['dispatcher'] },
      params: sessionIdParam,
      body: viewerBody,
      status: 201,
      async handle({ params, body, principal }) {
        const s = await sessions.get(params.id);
        authorizeSession(principal, s, 'control');
        return { inviteUrl: await invites.inviteViewer(s.id, actorOf(principal), body.label) };
      },
    }),
  ];
}
