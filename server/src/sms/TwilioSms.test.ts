import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendSignedCallback, startFakeTwilio, twilioSignature, type FakeTwilio } from '../../../test/support/fakeTwilio.js';
import { freePort } from '../testing/ports.js';
import { SmsSendError } from './SmsProvider.js';
import { smsStatusRouter } from './statusWebhook.js';
import { RebasingRequestClient, TwilioSms } from './TwilioSms.js';

const PUBLIC_URL = 'https://sightline.example.test';
const FROM = '+4759440000';
const PHONE = '+4791234567';
const BODY = `${PUBLIC_URL}/j/abcdefghijklmnopqrstuv fra AMK: trykk for å vise oss stedet med kameraet.`;

/** A logger whose lines we can read back (to prove secrets never reach it). */
function capturingLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  return { log, text: () => lines.join('') };
}

let fake: FakeTwilio;

beforeAll(async () => {
  fake = await startFakeTwilio();
});
afterEach(() => fake.reset());
afterAll(async () => {
  await fake.close();
});

function provider(overrides: Partial<ConstructorParameters<typeof TwilioSms>[0]> = {}) {
  return new TwilioSms({
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    from: FROM,
    apiUrl: fake.url,
    publicUrl: PUBLIC_URL,
    ...overrides,
  });
}

async function failure(p: Promise<unknown>): Promise<SmsSendError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmsSendError);
  return err as SmsSendError;
}

describe('TwilioSms against a fake Twilio (real SDK)', () => {
  it('sends through the SDK to TWILIO_API_URL and returns the message sid', async () => {
    const { log, text } = capturingLogger();
    const result = await provider({ log }).send({ to: PHONE, body: BODY, sessionId: 's1' });

    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fake.messages).toHaveLength(1);
    const [msg] = fake.messages;
    expect(msg).toMatchObject({
      sid: result.providerMessageId,
      accountSid: fake.accountSid,
      to: PHONE,
      from: FROM,
      body: BODY,
      statusCallback: `${PUBLIC_URL}/api/sms/status`,
    });
    // It really was the SDK: its path, its basic auth, its headers.
    const req = msg!.request;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`);
    expect(req.headers['user-agent']).toMatch(/^twilio-node\//);
    expect(req.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);

    const logged = text();
    expect(logged).toContain(result.providerMessageId);
    expect(logged).not.toContain(PHONE);
    expect(logged).not.toContain(fake.authToken);
    expect(logged).not.toContain('/j/abcdefghijklmnopqrstuv');
  });

  it('maps Twilio 400 / error 21211 to invalid_number, without quoting the number', async () => {
    fake.setMode('invalid_number');
    const { log, text } = capturingLogger();
    const err = await failure(provider({ log }).send({ to: PHONE, body: BODY, sessionId: 's2' }));
    expect(err.reason).toBe('invalid_number');
    expect(err.message).toMatch(/21211/);
    expect(err.message).not.toContain(PHONE);
    expect(text()).not.toContain(PHONE);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.status).toBe(400);
  });

  it('maps HTTP 503 to provider_unavailable', async () => {
    fake.setMode('unavailable');
    const err = await failure(provider().send({ to: PHONE, body: BODY, sessionId: 's3' }));
    expect(err.reason).toBe('provider_unavailable');
    expect(fake.requests[0]!.status).toBe(503);
  });

  it('maps a hung Twilio to timeout, within the configured time', async () => {
    fake.setMode('hang');
    const started = Date.now();
    const err = await failure(provider({ timeoutMs: 300 }).send({ to: PHONE, body: BODY, sessionId: 's4' }));
    expect(err.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.requests).toHaveLength(1);
  });

  it('maps connection refused to provider_unavailable', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const err = await failure(provider({ apiUrl: closed }).send({ to: PHONE, body: BODY, sessionId: 's5' }));
    expect(err.reason).toBe('provider_unavailable');
  });

  it('maps other 4xx (bad credentials) to rejected', async () => {
    const err = await failure(provider({ authToken: 'wrong-token' }).send({ to: PHONE, body: BODY, sessionId: 's6' }));
    expect(err.reason).toBe('rejected');
    expect(err.message).toMatch(/401/);
    expect(err.message).not.toContain('wrong-token');
    expect(fake.requests[0]!.status).toBe(401);
  });

  it('rebases any *.twilio.com URL (edges and regions too) onto the API URL, keeping a path prefix', () => {
    const client = new RebasingRequestClient('http://gateway.local:8080/twilio/');
    expect(client.rebase('https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json')).toBe(
      'http://gateway.local:8080/twilio/2010-04-01/Accounts/AC1/Messages.json',
    );
    expect(client.rebase('https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=5')).toBe(
      'http://gateway.local:8080/twilio/2010-04-01/Accounts/AC1/Messages.json?PageSize=5',
    );
    expect(client.rebase('https://example.org/x')).toBe('https://example.org/x');
  });
});

describe('smsStatusRouter', () => {
  const AUTH = 'router-test-auth-token';
  const SID = `SM${'a1'.repeat(16)}`;
  const calls: [string, string, string | undefined][] = [];
  const refused: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  let server: Server;
  let url: string;
  const publicUrl = 'https://dispatch.example.test/sightline';

  beforeAll(async () => {
    const app = express();
    const sms = {
      async status(id: string, status: string, errorCode?: string) {
        calls.push([id, status, errorCode]);
        if (id !== SID) return 'unknown_message' as const;
        if (seen.has(status)) return 'repeat' as const;
        seen.add(status);
        return 'recorded' as const;
      },
    };
    const security = { record: (e: Record<string, unknown>) => void refused.push(e) };
    app.use(smsStatusRouter({ authToken: AUTH, publicUrl, sms, security, log: pino({ level: 'silent' }) }));
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sms/status`;
  });
  afterEach(() => {
    calls.length = 0;
    refused.length = 0;
    seen.clear();
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  const params = (extra: Record<string, string> = {}) => ({
    AccountSid: `AC${'0'.repeat(32)}`,
    MessageSid: SID,
    SmsSid: SID,
    MessageStatus: 'undelivered',
    SmsStatus: 'undelivered',
    To: PHONE,
    From: FROM,
    ApiVersion: '2010-04-01',
    ErrorCode: '30003',
    ...extra,
  });

  it('accepts a callback signed for PUBLIC_URL + path, and passes the status on', async () => {
    const r = await sendSignedCallback({ url, signedUrl: `${publicUrl}/api/sms/status`, authToken: AUTH, params: params() });
    expect(r.status).toBe(204);
    expect(calls).toEqual([[SID, 'undelivered', '30003']]);
  });

  it('answers 204 for unknown message ids too (so Twilio stops retrying)', async () => {
    const other = `SM${'b2'.repeat(16)}`;
    const r = await sendSignedCallback({ url, signedUrl: `${publicUrl}/api/sms/status`, authToken: AUTH, params: params({ MessageSid: other }) });
    expect(r.status).toBe(204);
    expect(calls).toEqual([[other, 'undelivered', '30003']]);
  });

  it('refuses missing, wrong and mis-addressed signatures with 403', async () => {
    const noSig = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params()).toString(),
    });
    expect(noSig.status).toBe(403);
    expect(await noSig.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });

    const wrongKey = await sendSignedCallback({ url, signedUrl: `${publicUrl}/api/sms/status`, authToken: 'not-the-token', params: params() });
    expect(wrongKey.status).toBe(403);
    // Signed for the URL it reached, not the public one Twilio was given.
    const wrongUrl = await sendSignedCallback({ url, authToken: AUTH, params: params() });
    expect(wrongUrl.status).toBe(403);
    expect(calls).toEqual([]);
    expect(refused.map((e) => [e['kind'], e['reason']])).toEqual([
      ['webhook_refused', 'unsigned'],
      ['webhook_refused', 'bad_signature'],
      ['webhook_refused', 'bad_signature'],
    ]);
  });

  it('answers a replayed callback 204 (it changes nothing) and records it as refused (issue #11)', async () => {
    const signed = { url, signedUrl: `${publicUrl}/api/sms/status`, authToken: AUTH, params: params() };
    expect((await sendSignedCallback(signed)).status).toBe(204);
    expect(refused).toEqual([]);
    expect((await sendSignedCallback(signed)).status).toBe(204);
    expect(refused).toEqual([expect.objectContaining({ kind: 'webhook_refused', reason: 'replay', providerMessageId: SID })]);
  });

  it('refuses a tampered body (signature over other values) with 403', async () => {
    const signed = params({ MessageStatus: 'failed' });
    const signature = twilioSignature(AUTH, `${publicUrl}/api/sms/status`, signed);
    const r = await sendSignedCallback({ url, authToken: AUTH, params: params({ MessageStatus: 'delivered' }), signature });
    expect(r.status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('answers 400 to a signed callback without the fields it needs', async () => {
    const { MessageSid: _omit, ...withoutSid } = params();
    const r = await sendSignedCallback({ url, signedUrl: `${publicUrl}/api/sms/status`, authToken: AUTH, params: withoutSid });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'bad_request', message: expect.stringMatching(/MessageSid/) } });
    expect(calls).toEqual([]);
  });
});
