import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/browser.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * A spoken code lives SPOKEN_CODE_MINUTES and then stops working (404 or 410, as CONTRACT.md
 * says), while the session's invite stays usable through a fresh code. Six seconds here instead of
 * ten minutes: the setting takes fractions.
 */
const LIFETIME_MS = 6_000;
let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer({ SPOKEN_CODE_MINUTES: String(LIFETIME_MS / 60_000) });
  token = await login(server);
});

afterAll(async () => {
  await server?.stop();
});

async function newSession(): Promise<string> {
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

async function issueCode(sessionId: string): Promise<{ code: string; expiresAt: number; issuedAt: number }> {
  const issuedAt = Date.now();
  const r = await http('POST', `${server.url}/api/sessions/${sessionId}/code`, { token });
  expect(r.status).toBe(201);
  return { code: r.body.code as string, expiresAt: Date.parse(r.body.expiresAt as string), issuedAt };
}

const redeem = (code: string) => http('POST', `${server.url}/api/codes/redeem`, { body: { code } });

describe('spoken code lifetime', () => {
  it('is stamped with SPOKEN_CODE_MINUTES and works within it', async () => {
    const sessionId = await newSession();
    const { code, expiresAt, issuedAt } = await issueCode(sessionId);
    expect(code).toMatch(/^\d{6}$/);
    // The server's clock is this machine's: the stamp is the lifetime after issuing, give or take the round trip.
    expect(expiresAt - issuedAt).toBeGreaterThan(LIFETIME_MS - 1_000);
    expect(expiresAt - issuedAt).toBeLessThan(LIFETIME_MS + 1_000);
    const r = await redeem(code);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sessionId, role: 'caller' });
  });

  it('stops working once its lifetime is over, and the invite is still there for a fresh code', async () => {
    const sessionId = await newSession();
    const stale = await issueCode(sessionId);
    await waitFor('the code lifetime to pass', async () => Date.now() > stale.expiresAt + 250, LIFETIME_MS + 5_000, 100);
    const refused = await redeem(stale.code);
    expect([404, 410], JSON.stringify(refused.body)).toContain(refused.status);
    expect(refused.body.error.code).toMatch(/\w/);

    // The refusal came from the clock, not from a spent invite: a new code for the same session works.
    const fresh = await issueCode(sessionId);
    const r = await redeem(fresh.code);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sessionId, role: 'caller' });
  });
});
