import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../server/src/testing/redisServer.js';
import { startFakeTwilio, type FakeMessage, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * Delivery state across several SMS of one session (issue #10, kind 10): the status follows the
 * newest message; a callback that arrives late, twice or out of order never moves a newer
 * message's state backwards, nor the session back once the caller has opened the link; every
 * callback is in the session log, without the caller's number. Twilio may send a message's
 * callbacks out of order ("Outbound Message Status in Status Callbacks", Twilio docs), and a
 * carrier's report for an old message can come after a resend's.
 */
const PHONE = '+4791234567';

type Event = { type: string; actor: string; details?: Record<string, unknown> };

describe.each(['memory', 'redis'] as const)('SMS delivery across callbacks (%s store)', (storeKind) => {
  let redis: RedisServer | undefined;
  let fake: FakeTwilio;
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    if (storeKind === 'redis') redis = await startRedisServer();
    server = await startServer({
      ...twilioEnv(fake),
      PUBLIC_URL: 'https://sightline-e2e.example.test',
      LOG_LEVEL: 'info',
      ...(redis && { REDIS_URL: redis.url }),
    });
    token = await login(server);
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    await redis?.stop();
  });

  async function createSession(): Promise<{ id: string; inviteUrl: string }> {
    const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: PHONE, incidentRef: 'INC-SMS-ORDER' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  }

  async function resend(id: string): Promise<FakeMessage> {
    const before = fake.messages.length;
    expect((await http('POST', `${server.url}/api/sessions/${id}/sms`, { token })).status).toBe(202);
    expect(fake.messages).toHaveLength(before + 1);
    return fake.messages.at(-1)!;
  }

  async function detail(id: string): Promise<{ status: string; events: Event[] }> {
    const r = await http('GET', `${server.url}/api/sessions/${id}`, { token });
    expect(r.status).toBe(200);
    return r.body;
  }

  /** `sightline_security_events_total{kind="webhook_refused"}` now. */
  async function refusedWebhooks(): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(/sightline_security_events_total\{kind="webhook_refused"\} (\d+)/.exec(text)?.[1] ?? 0);
  }

  async function callback(message: FakeMessage, status: string, errorCode?: string): Promise<void> {
    expect((await fake.deliverStatus(message, status, { via: server.url, errorCode })).status).toBe(204);
  }

  const callbacksIn = (events: Event[]) =>
    events.filter((e) => e.type === 'sms_status').map((e) => `${e.details?.['providerMessageId']}:${e.details?.['providerStatus']}`);

  it('follows the resent SMS: undelivered, resent, delivered ends in sms_delivered, with every callback logged', async () => {
    const s = await createSession();
    const first = fake.messages[0]!;
    await callback(first, 'sent');
    await callback(first, 'undelivered', '30003');
    expect((await detail(s.id)).status).toBe('sms_failed');

    const second = await resend(s.id);
    expect((await detail(s.id)).status).toBe('sms_sent');
    await callback(second, 'sent');
    await callback(second, 'delivered');

    const after = await detail(s.id);
    expect(after.status).toBe('sms_delivered');
    expect(callbacksIn(after.events)).toEqual([`${first.sid}:sent`, `${first.sid}:undelivered`, `${second.sid}:sent`, `${second.sid}:delivered`]);
    expect(after.events.find((e) => e.type === 'sms_status' && e.details?.['providerStatus'] === 'undelivered')?.details).toMatchObject({ errorCode: '30003' });
    expect(after.events.filter((e) => e.type === 'sms_status').every((e) => e.actor === 'system')).toBe(true);
    const statuses = after.events.filter((e) => ['sms_sent', 'sms_failed', 'sms_delivered'].includes(e.type)).map((e) => e.type);
    expect(statuses).toEqual(['sms_sent', 'sms_failed', 'sms_sent', 'sms_delivered']);
    // The callbacks carry the number (To); neither the log nor the server's output may.
    expect(JSON.stringify(after.events)).not.toContain(PHONE);
    expect(server.output()).not.toContain(PHONE);
  });

  it("never lets the old message's late failure undo the new one's delivery", async () => {
    const s = await createSession();
    const first = fake.messages[0]!;
    const second = await resend(s.id);
    await callback(second, 'delivered');
    await callback(first, 'undelivered', '30005');
    await callback(first, 'failed');
    const after = await detail(s.id);
    expect(after.status).toBe('sms_delivered');
    expect(callbacksIn(after.events)).toEqual([`${second.sid}:delivered`, `${first.sid}:undelivered`, `${first.sid}:failed`]);
    expect(after.events.filter((e) => e.type === 'sms_status').map((e) => e.details?.['newest'])).toEqual([true, false, false]);
  });

  it("never moves one message backwards: a late 'sent' after 'delivered' and a repeated callback change nothing", async () => {
    const s = await createSession();
    const msg = fake.messages[0]!;
    await callback(msg, 'delivered');
    await callback(msg, 'delivered');
    await callback(msg, 'sent');
    await callback(msg, 'queued');
    const after = await detail(s.id);
    expect(after.status).toBe('sms_delivered');
    expect(after.events.filter((e) => e.type === 'sms_delivered')).toHaveLength(1);
    // The repeat is not logged again (issue #11: a replayed callback).
    expect(after.events.filter((e) => e.type === 'sms_status').map((e) => e.details?.['applied'])).toEqual([true, false, false]);
  });

  it('ignores a replayed callback and every callback after the session ended, and counts the replay as refused (issue #11)', async () => {
    const s = await createSession();
    const msg = fake.messages[0]!;
    await callback(msg, 'sent');
    const metricBefore = await refusedWebhooks();
    for (let i = 0; i < 5; i++) await callback(msg, 'sent');
    expect(callbacksIn((await detail(s.id)).events)).toEqual([`${msg.sid}:sent`]);
    expect(await refusedWebhooks()).toBe(metricBefore + 5);

    expect((await http('POST', `${server.url}/api/sessions/${s.id}/end`, { token })).status).toBe(200);
    const ended = await detail(s.id);
    await callback(msg, 'delivered');
    await callback(msg, 'undelivered', '30003');
    const after = await detail(s.id);
    expect(after.events).toEqual(ended.events);
    expect(after.events.at(-1)?.type).toBe('ended');
  });

  it('logs a callback for a message it does not know, without touching any session', async () => {
    const s = await createSession();
    const stranger: FakeMessage = { ...fake.messages[0]!, sid: `SM${'e'.repeat(32)}` };
    const before = await detail(s.id);
    await callback(stranger, 'delivered');
    expect(await detail(s.id)).toEqual(before);
    expect(server.output()).toMatch(new RegExp(`"providerMessageId":"${stranger.sid}","providerStatus":"delivered".*"outcome":"unknown_message"`));
  });

  it('never moves the session back once the caller has opened the link, and still logs the callbacks', async () => {
    const s = await createSession();
    const first = fake.messages[0]!;
    const code = s.inviteUrl.split('/j/')[1]!;
    expect((await http('POST', `${server.url}/api/invites/${code}/redeem`)).status).toBe(200);
    expect((await detail(s.id)).status).toBe('consent_given');

    await callback(first, 'undelivered');
    const second = await resend(s.id);
    await callback(second, 'failed');
    await callback(first, 'delivered');
    const after = await detail(s.id);
    expect(after.status).toBe('consent_given');
    expect(callbacksIn(after.events)).toEqual([`${first.sid}:undelivered`, `${second.sid}:failed`, `${first.sid}:delivered`]);
    // The resend is logged as one; it does not put the session back to sms_sent.
    expect(after.events.filter((e) => e.type === 'sms_resend')).toHaveLength(1);
    expect(after.events.filter((e) => ['sms_sent', 'sms_failed', 'sms_delivered'].includes(e.type)).map((e) => e.type)).toEqual(['sms_sent']);
  });
});
