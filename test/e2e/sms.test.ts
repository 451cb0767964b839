import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilio, type FakeMessage, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * SMS_PROVIDER=twilio end to end: the real server, the real twilio SDK, a fake Twilio behind
 * TWILIO_API_URL, and signed delivery callbacks coming back.
 *
 * PUBLIC_URL is a public-looking origin, not the loopback address the test talks to: like
 * production behind a reverse proxy, Twilio is told (and signs) `${PUBLIC_URL}/api/sms/status`
 * while the request reaches the server on another address. (startServer picks the port itself,
 * so PUBLIC_URL could not be the server's own URL anyway.)
 */
const PUBLIC_URL = 'https://sightline-e2e.example.test';
const PHONE = '+4791234567';

let fake: FakeTwilio;
let server: TestServer;
let token: string;

async function createSession(phone = PHONE): Promise<{ id: string; inviteUrl: string; status: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone, incidentRef: 'INC-SMS' } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function detail(id: string): Promise<{ status: string; events: { type: string; details?: Record<string, unknown> }[] }> {
  const r = await http('GET', `${server.url}/api/sessions/${id}`, { token });
  expect(r.status).toBe(200);
  return r.body;
}

function onlyMessage(): FakeMessage {
  expect(fake.messages).toHaveLength(1);
  return fake.messages[0]!;
}

describe.each(['info', 'debug'] as const)('SMS through Twilio, LOG_LEVEL=%s', (level) => {
  beforeAll(async () => {
    fake = await startFakeTwilio();
    server = await startServer({
      ...twilioEnv(fake),
      PUBLIC_URL,
      // Above warn: the lines that carry the number are written at info (the last test reads them).
      LOG_LEVEL: level,
    });
    token = await login(server);
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  it('sends the invite through the SDK and marks the session delivered on a signed callback', async () => {
    const s = await createSession();
    expect(s.status).toBe('sms_sent');
    expect(s.inviteUrl.startsWith(`${PUBLIC_URL}/j/`)).toBe(true);

    const msg = onlyMessage();
    expect(msg.to).toBe(PHONE);
    expect(msg.from).toBe('+4759440000');
    expect(msg.body.startsWith(`${s.inviteUrl} `)).toBe(true);
    expect(msg.statusCallback).toBe(`${PUBLIC_URL}/api/sms/status`);
    expect(msg.request.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);

    const sent = (await detail(s.id)).events.find((e) => e.type === 'sms_sent');
    expect(sent?.details).toMatchObject({ provider: 'twilio', providerMessageId: msg.sid });

    const cb = await fake.deliverStatus(msg, 'delivered', { via: server.url });
    expect(cb.status).toBe(204);

    const after = await detail(s.id);
    expect(after.status).toBe('sms_delivered');
    const delivered = after.events.filter((e) => e.type === 'sms_delivered');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.details).toMatchObject({ providerMessageId: msg.sid, providerStatus: 'delivered' });
    // The session log never holds the full number.
    expect(JSON.stringify(after.events)).not.toContain(PHONE);
  });

  it('refuses a callback with a wrong signature (403) and changes nothing', async () => {
    const s = await createSession();
    const msg = onlyMessage();
    const before = await detail(s.id);

    const forged = await fake.deliverStatus(msg, 'delivered', { via: server.url, authToken: 'not-the-auth-token' });
    expect(forged.status).toBe(403);
    expect(forged.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    const unsigned = await fake.deliverStatus(msg, 'delivered', { via: server.url, signature: '' });
    expect(unsigned.status).toBe(403);

    const after = await detail(s.id);
    expect(after.status).toBe('sms_sent');
    expect(after.events).toEqual(before.events);
  });

  it('answers 204 to a signed callback for a message it does not know', async () => {
    const s = await createSession();
    const msg = onlyMessage();
    const stranger: FakeMessage = { ...msg, sid: `SM${'f'.repeat(32)}` };
    expect((await fake.deliverStatus(stranger, 'delivered', { via: server.url })).status).toBe(204);
    expect((await detail(s.id)).status).toBe('sms_sent');
  });

  it('marks the session sms_failed on an undelivered callback', async () => {
    const s = await createSession();
    const msg = onlyMessage();
    expect((await fake.deliverStatus(msg, 'undelivered', { via: server.url, errorCode: '30003' })).status).toBe(204);
    const after = await detail(s.id);
    expect(after.status).toBe('sms_failed');
    expect(after.events.find((e) => e.type === 'sms_failed')?.details).toMatchObject({
      providerMessageId: msg.sid,
      providerStatus: 'undelivered',
      errorCode: '30003',
    });
  });

  it('records sms_failed with reason invalid_number when Twilio refuses the number (400, 21211)', async () => {
    fake.setMode('invalid_number');
    const s = await createSession();
    expect(s.status).toBe('sms_failed');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.status).toBe(400);
    expect(fake.messages).toHaveLength(0);
    const failed = (await detail(s.id)).events.find((e) => e.type === 'sms_failed');
    expect(failed?.details).toMatchObject({ provider: 'twilio', reason: 'invalid_number' });
    // Twilio's error text quotes the number; it must not reach the server's output.
    expect(server.output()).not.toContain(PHONE);
  });

  it('resends the link: 202 and a second message at Twilio', async () => {
    const s = await createSession();
    const first = onlyMessage();
    const r = await http('POST', `${server.url}/api/sessions/${s.id}/sms`, { token });
    expect(r.status).toBe(202);
    expect(fake.messages).toHaveLength(2);
    const second = fake.messages[1]!;
    expect(second.to).toBe(PHONE);
    expect(second.body).toBe(first.body);
    expect(second.sid).not.toBe(first.sid);

    // Delivery of the resent message is tracked too.
    expect((await fake.deliverStatus(second, 'delivered', { via: server.url })).status).toBe(204);
    expect((await detail(s.id)).status).toBe('sms_delivered');
  });

  it('never prints the auth token, the number or an invite link', () => {
    const out = server.output();
    // The lines about the messages are there, with the number masked: the check below sees them.
    expect(out).toContain('"msg":"sms accepted by twilio"');
    expect(out).toContain('"msg":"sms status callback"');
    expect(out).toContain('"to":"+47*****567"');
    expect(out).not.toContain(fake.authToken);
    expect(out).not.toContain(PHONE);
    expect(out).not.toContain(`${PUBLIC_URL}/j/`);
  });
});
