import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * What an invite link's holder can still do once the link is unknown, spent or expired: nothing,
 * on every route that takes an invite (redeem, the page's "opened" report, a photo before the tap),
 * and each refusal is logged and counted in /metrics as `invite_refused` (issue #11, items 1 and 11).
 * A spent invite's report must not write to the session's log (issue #10's leftover).
 */
const INVITE_TTL_MS = 4_000;
let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer({ INVITE_TTL_MINUTES: String(INVITE_TTL_MS / 60_000) });
  token = await login(server);
});

afterAll(async () => {
  await server?.stop();
});

async function newSession(): Promise<{ id: string; code: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
  expect(r.status).toBe(201);
  return { id: r.body.id, code: String(r.body.inviteUrl).split('/j/')[1]! };
}

async function events(id: string): Promise<{ type: string; details?: Record<string, unknown> }[]> {
  return (await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.events;
}

async function refusedCount(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^sightline_security_events_total\{kind="invite_refused"\} (\S+)$/m.exec(text)?.[1]);
}

/** Every route that takes an invite code, as its holder would call it. */
const ROUTES = {
  redeem: (code: string) => http('POST', `${server.url}/api/invites/${code}/redeem`),
  opened: (code: string) => http('POST', `${server.url}/api/invites/${code}/opened`, { body: { browser: 'firefox', unsupported: 'no_peer_connection' } }),
  photos: async (code: string) => {
    const res = await fetch(`${server.url}/api/invites/${code}/photos`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  },
};

describe('refused invites', () => {
  it('refuses a spent invite on every route (410) and writes nothing to the log', async () => {
    const s = await newSession();
    expect((await ROUTES.redeem(s.code)).status).toBe(200);
    const before = await events(s.id);
    const counted = await refusedCount();
    for (const [name, route] of Object.entries(ROUTES)) {
      const r = await route(s.code);
      expect(r.status, name).toBe(410);
      expect(r.body.error.code, name).toBe('gone');
    }
    expect(await events(s.id)).toEqual(before);
    expect(await refusedCount()).toBe(counted + 3);
  });

  it('refuses an expired invite on every route (410) and writes nothing to the log', async () => {
    const s = await newSession();
    await new Promise((r) => setTimeout(r, INVITE_TTL_MS + 500));
    const before = await events(s.id);
    const counted = await refusedCount();
    for (const [name, route] of Object.entries(ROUTES)) expect((await route(s.code)).status, name).toBe(410);
    expect((await events(s.id)).filter((e) => e.type === 'browser_unsupported' || e.type === 'link_opened' || e.type === 'photo_uploaded')).toEqual(
      before.filter((e) => e.type === 'browser_unsupported' || e.type === 'link_opened' || e.type === 'photo_uploaded'),
    );
    expect(await refusedCount()).toBe(counted + 3);
  });

  it('counts and logs an unknown invite on every route (404)', async () => {
    const counted = await refusedCount();
    for (const [name, route] of Object.entries(ROUTES)) expect((await route('x'.repeat(22))).status, name).toBe(404);
    // The page's look-up (language, policy) too.
    expect((await http('GET', `${server.url}/api/invites/${'y'.repeat(22)}`)).status).toBe(404);
    expect(await refusedCount()).toBe(counted + 4);
    expect(server.output()).toMatch(/"security":"invite_refused".*"reason":"unknown"/);
  });
});
