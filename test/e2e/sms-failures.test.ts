import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilio, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * README "SMS": provider failures (provider down, timeout, no provider at all) become an
 * `sms_failed` state with a reason, never a crash. The real server and twilio SDK against a fake
 * Twilio that answers 503, hangs, or is gone; after each, the server still answers and a new
 * session still gets its SMS. (An invalid number: sms.test.ts.) The hang waits out the SDK's
 * 10-second timeout.
 */
let fake: FakeTwilio;
let server: TestServer;
let token: string;

beforeAll(async () => {
  fake = await startFakeTwilio();
  server = await startServer({
    ...twilioEnv(fake),
  });
  token = await login(server);
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

async function sessionWithSms(): Promise<{ status: string; reason: unknown; tookMs: number }> {
  const started = Date.now();
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-SMS-FAIL' } });
  const tookMs = Date.now() - started;
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const detail = await http('GET', `${server.url}/api/sessions/${r.body.id}`, { token });
  const failed = (detail.body.events as { type: string; details?: { reason?: string } }[]).find((e) => e.type === 'sms_failed');
  return { status: detail.body.status, reason: failed?.details?.reason, tookMs };
}

async function stillServes(): Promise<void> {
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  fake.setMode('ok');
  expect((await sessionWithSms()).status).toBe('sms_sent');
}

describe('SMS provider failures', () => {
  it('marks the session sms_failed (provider_unavailable) when Twilio answers 503, and carries on', async () => {
    fake.setMode('unavailable');
    expect(await sessionWithSms()).toMatchObject({ status: 'sms_failed', reason: 'provider_unavailable' });
    await stillServes();
  });

  it('marks the session sms_failed (timeout) when Twilio never answers, and carries on', async () => {
    fake.setMode('hang');
    const r = await sessionWithSms();
    expect(r).toMatchObject({ status: 'sms_failed', reason: 'timeout' });
    expect(r.tookMs).toBeLessThan(20_000);
    await stillServes();
  });

  it('marks the session sms_failed (provider_unavailable) when nothing listens at the provider, and carries on', async () => {
    await fake.close();
    expect(await sessionWithSms()).toMatchObject({ status: 'sms_failed', reason: 'provider_unavailable' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
