import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/MemoryStore.js';
import { sessionServices } from '../testing/sessionServices.js';
import { sessionStatusForSms, smsStatusRank } from './deliveryStatus.js';
import { SmsSendError, type SmsProvider } from './SmsProvider.js';

/**
 * The session status before the link is opened follows the newest SMS, whatever order the
 * provider's callbacks come in (issue #10, kind 10). A fake provider numbers its messages; the
 * properties run every interleaving fast-check finds of sends and callbacks, repeats included.
 */
class NumberedSms implements SmsProvider {
  readonly name = 'twilio' as const;
  sent = 0;
  async send(): Promise<{ providerMessageId?: string }> {
    return { providerMessageId: `SM${++this.sent}` };
  }
}

function setUp() {
  const store = new MemoryStore();
  const sms = new NumberedSms();
  const { sessions, invites, sms: dispatch } = sessionServices({ store, sms });
  return { store, sms, sessions, invites, dispatch };
}

/** A message's real course: the progress statuses in order, then one outcome (or none yet). */
const course = fc
  .tuple(fc.subarray(['queued', 'sending', 'sent']), fc.constantFrom('delivered', 'undelivered', 'failed', 'read', undefined))
  .map(([progress, outcome]) => (outcome ? [...progress, outcome] : progress));

/** What the newest message has reached, from the callbacks delivered so far. */
function expectedStatus(delivered: Map<number, string[]>, newest: number) {
  const seen = delivered.get(newest) ?? [];
  const furthest = seen.reduce<string | undefined>((best, s) => (best === undefined || smsStatusRank(s) > smsStatusRank(best) ? s : best), undefined);
  return sessionStatusForSms(furthest);
}

describe('SMS delivery state across callbacks', () => {
  it('follows the newest message after every step, for any order of sends and callbacks, repeats included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(course, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        async (courses, picks, repeats) => {
          const { sessions, invites, dispatch } = setUp();
          const s = await invites.create('disp', { phone: '+4791234567' });
          const pending = new Map<number, string[]>([[1, [...courses[0]!]]]);
          const delivered = new Map<number, string[]>();
          let newest = 1;
          const callbacks = new Set<string>();
          for (let step = 0; ; step++) {
            // A pool of what may happen next: the next resend, or any sent message's next callback
            // (each message's own callbacks may come in any order too: any of its pending ones).
            const options: (() => Promise<void>)[] = [];
            if (newest < courses.length)
              options.push(async () => {
                await dispatch.send(await sessions.get(s.id), 'dispatcher:disp');
                newest++;
                pending.set(newest, [...courses[newest - 1]!]);
              });
            for (const [msg, left] of pending) {
              left.forEach((status, i) =>
                options.push(async () => {
                  if (!repeats[step % repeats.length]) left.splice(i, 1);
                  await dispatch.status(`SM${msg}`, status);
                  callbacks.add(`${msg} ${status}`);
                  delivered.set(msg, [...(delivered.get(msg) ?? []), status]);
                }),
              );
            }
            if (options.length === 0 || step > 60) break;
            await options[picks[step % picks.length]! % options.length]!();
            expect((await sessions.get(s.id)).status).toBe(expectedStatus(delivered, newest));
          }
          const events = await sessions.events(s.id);
          // Each status of each message once: repeats are not logged.
          expect(events.filter((e) => e.type === 'sms_status')).toHaveLength(callbacks.size);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('ends on the newest message when callbacks and a resend race each other', async () => {
    await fc.assert(
      fc.asyncProperty(course, course, fc.array(fc.nat(), { minLength: 12, maxLength: 12 }), async (first, second, order) => {
        const { sessions, invites, dispatch } = setUp();
        const s = await invites.create('disp', { phone: '+4791234567' });
        const work: (() => Promise<unknown>)[] = [
          ...first.map((st) => () => dispatch.status('SM1', st)),
          async () => {
            await dispatch.send(await sessions.get(s.id), 'dispatcher:disp');
            // The new message's callbacks can only come once Twilio has it.
            await Promise.all(second.map((st) => dispatch.status('SM2', st)));
          },
        ];
        const shuffled = work
          .map((w, i) => ({ w, k: order[i % order.length]! }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.w);
        await Promise.all(shuffled.map((w) => w()));
        const furthest = second.reduce<string | undefined>(
          (best, st) => (best === undefined || smsStatusRank(st) > smsStatusRank(best) ? st : best),
          undefined,
        );
        expect((await sessions.get(s.id)).status).toBe(sessionStatusForSms(furthest));
      }),
      { numRuns: 100 },
    );
  });

  it('leaves a session whose link is open where it is, and still logs each callback', async () => {
    const { sessions, invites, dispatch, store } = setUp();
    const s = await invites.create('disp', { phone: '+4791234567' });
    await invites.redeem(s.inviteCode);
    for (const st of ['undelivered', 'delivered', 'failed']) expect(await dispatch.status('SM1', st)).toBe('recorded');
    expect((await sessions.get(s.id)).status).toBe('consent_given');
    expect((await store.listEvents(s.id)).filter((e) => e.type === 'sms_status').map((e) => e.details?.['applied'])).toEqual([true, true, false]);
    expect(await dispatch.status('SM404', 'delivered')).toBe('unknown_message');
  });

  it('logs a repeated callback (a replay) once, and nothing once the session has ended (issue #11)', async () => {
    const { sessions, invites, dispatch, store } = setUp();
    const s = await invites.create('disp', { phone: '+4791234567' });
    expect(await dispatch.status('SM1', 'sent')).toBe('recorded');
    expect(await dispatch.status('SM1', 'sent')).toBe('repeat');
    await sessions.end(s.id, 'dispatcher:disp', 'dispatcher');
    const logged = (await store.listEvents(s.id)).length;
    expect(await dispatch.status('SM1', 'delivered')).toBe('session_ended');
    expect(await dispatch.status('SM1', 'delivered')).toBe('repeat');
    const events = await store.listEvents(s.id);
    expect(events).toHaveLength(logged);
    expect(events.at(-1)?.type).toBe('ended');
    expect(events.filter((e) => e.type === 'sms_status').map((e) => e.details?.['providerStatus'])).toEqual(['sent']);
    // Only a live session needs the full number (to resend the link).
    expect((await store.getSession(s.id))?.phone).toBe('+47*****567');
  });
});

describe("a viewer's link by SMS (issue #14: inviting a viewer)", () => {
  it('sends it to the number given, logs it with the number masked, and leaves the caller’s SMS state alone', async () => {
    const { store, sms, sessions, invites, dispatch } = setUp();
    const s = await invites.create('disp', { phone: '+4791234567' });
    const before = await sessions.get(s.id);
    const answer = await dispatch.sendViewerLink(before, '+4798765432', 'https://x.test/j/viewer-code', 'dispatcher:disp');
    expect(answer).toEqual({ to: '+4798765432', sent: true });
    expect(sms.sent).toBe(2);
    const logged = (await sessions.events(s.id)).filter((e) => e.type === 'viewer_sms');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.details).toMatchObject({ to: '+47*****432', provider: 'twilio', sent: true, providerMessageId: 'SM2' });
    expect(JSON.stringify(await sessions.events(s.id))).not.toContain('98765432');
    // Its delivery reports are not the caller's: the session's SMS state follows the caller's message only.
    expect((await store.getSession(s.id))?.smsMessageId).toBe(before.smsMessageId);
    expect(await dispatch.status('SM2', 'failed')).toBe('unknown_message');
    expect((await sessions.get(s.id)).status).toBe(before.status);
  });

  it('answers a refusal with its reason instead of throwing, and logs it', async () => {
    const store = new MemoryStore();
    const refusing: SmsProvider = {
      name: 'twilio',
      send: async (m) => {
        if (m.to === '+4798765432') throw new SmsSendError('invalid_number', 'refused');
        return { providerMessageId: 'SM1' };
      },
    };
    const { sessions, invites, sms: dispatch } = sessionServices({ store, sms: refusing });
    const s = await invites.create('disp', { phone: '+4791234567' });
    expect(await dispatch.sendViewerLink(await sessions.get(s.id), '+4798765432', 'https://x.test/j/v', 'dispatcher:disp')).toEqual({
      to: '+4798765432',
      sent: false,
      reason: 'invalid_number',
    });
    const logged = (await sessions.events(s.id)).find((e) => e.type === 'viewer_sms');
    expect(logged?.details).toMatchObject({ to: '+47*****432', sent: false, reason: 'invalid_number' });
  });
});
