import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * `link_opened` means the caller's page ran, not that something fetched the link: link previewers
 * (SMS apps, chat apps), mail and virus scanners fetch links too, with HEAD or with a GET that never
 * runs a script. Only the page's own report (POST /api/invites/:code/opened, sent by its script once
 * loaded) records the opening.
 */
let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startServer();
  token = await login(server);
});

afterAll(async () => {
  await server?.stop();
});

async function newSession(): Promise<{ id: string; code: string; inviteUrl: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
  expect(r.status).toBe(201);
  return { id: r.body.id, inviteUrl: r.body.inviteUrl, code: String(r.body.inviteUrl).split('/j/')[1]! };
}

async function detail(id: string): Promise<{ status: string; events: { type: string; details?: Record<string, unknown> }[] }> {
  return (await http('GET', `${server.url}/api/sessions/${id}`, { token })).body;
}

/** What a previewer or scanner does: fetches, reads (or not) the body, runs nothing. */
async function scan(method: 'GET' | 'HEAD', url: string, userAgent: string): Promise<number> {
  const res = await fetch(url, { method, headers: { 'user-agent': userAgent }, redirect: 'follow' });
  await res.arrayBuffer();
  return res.status;
}

const PREVIEWERS = [
  'curl/8.5.0',
  'WhatsApp/2.23.20.0',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'Mozilla/5.0 (compatible; Microsoft Office Protocol Discovery; SafeLinks)',
];

describe('link previewers and scanners', () => {
  it('records nothing for HEAD or GET of the link, the spoken-code page or the JSON peek, however often', async () => {
    const s = await newSession();
    const before = await detail(s.id);
    expect(before.status).toBe('sms_sent');
    for (const ua of PREVIEWERS) {
      // A scanner following the link twice, with both methods, and everything the page would fetch.
      for (let i = 0; i < 2; i++) {
        expect(await scan('HEAD', s.inviteUrl, ua)).toBe(200);
        expect(await scan('GET', s.inviteUrl, ua)).toBe(200);
        expect(await scan('HEAD', `${server.url}/c`, ua)).toBe(200);
        expect(await scan('GET', `${server.url}/c`, ua)).toBe(200);
        expect(await scan('GET', `${server.url}/api/invites/${s.code}`, ua)).toBe(200);
        expect(await scan('HEAD', `${server.url}/api/invites/${s.code}`, ua)).toBe(200);
      }
    }
    const after = await detail(s.id);
    expect(after.status).toBe('sms_sent');
    expect(after.events.map((e) => e.type)).toEqual(before.events.map((e) => e.type));
    // And the invite is still good for the caller's tap.
    expect((await http('POST', `${server.url}/api/invites/${s.code}/redeem`)).status).toBe(200);
  });

  it('records link_opened once when the page itself loads, however often it reloads, and the tap still works', async () => {
    const s = await newSession();
    const phone = await launchDevice({ mobile: true });
    try {
      for (let i = 0; i < 3; i++) {
        await phone.page.goto(s.inviteUrl);
        await phone.page.waitForSelector(`${sel('start-video')}:not([disabled])`);
        await waitFor('link_opened', async () => (await detail(s.id)).status === 'link_opened');
      }
      const opened = (await detail(s.id)).events.filter((e) => e.type === 'link_opened');
      expect(opened).toHaveLength(1);
      // The report says which browser opened it (Debian's Chromium here).
      expect(opened[0]!.details).toMatchObject({ browser: 'chrome' });
      expect((await detail(s.id)).events.some((e) => e.type === 'browser_unsupported')).toBe(false);
    } finally {
      await phone.close();
    }
    expect((await http('POST', `${server.url}/api/invites/${s.code}/redeem`)).status).toBe(200);
    expect((await detail(s.id)).events.filter((e) => e.type === 'link_opened')).toHaveLength(1);
  });

  it('takes the page report through the validation gate, without spending the invite', async () => {
    const s = await newSession();
    const bad = [{}, { browser: 'netscape' }, { browser: 'chrome', unsupported: 'because' }, { browser: 'chrome', extra: 1 }];
    for (const body of bad) {
      const r = await http('POST', `${server.url}/api/invites/${s.code}/opened`, { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    }
    expect((await detail(s.id)).status).toBe('sms_sent');
    expect((await http('POST', `${server.url}/api/invites/${'x'.repeat(22)}/opened`, { body: { browser: 'chrome' } })).status).toBe(404);

    // A caller's page that can stream gets its pre-tap credential (issue #12), each time; it spends nothing.
    for (let i = 0; i < 2; i++) {
      const r = await http('POST', `${server.url}/api/invites/${s.code}/opened`, { body: { browser: 'firefox' } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ pretap: { token: expect.any(String), sessionId: s.id } });
    }
    const d = await detail(s.id);
    expect(d.status).toBe('link_opened');
    expect(d.events.filter((e) => e.type === 'link_opened')).toEqual([expect.objectContaining({ details: { browser: 'firefox' } })]);
    expect((await http('GET', `${server.url}/api/invites/${s.code}`)).body).toMatchObject({ valid: true });
    expect((await http('POST', `${server.url}/api/invites/${s.code}/redeem`)).status).toBe(200);

    // An ended session takes no more reports.
    const ended = await newSession();
    expect((await http('POST', `${server.url}/api/sessions/${ended.id}/end`, { token })).status).toBe(200);
    expect((await http('POST', `${server.url}/api/invites/${ended.code}/opened`, { body: { browser: 'chrome' } })).status).toBe(410);
  });

  it('records the opening of the spoken-code path when the code is redeemed, not when /c is fetched', async () => {
    const s = await newSession();
    const code = (await http('POST', `${server.url}/api/sessions/${s.id}/code`, { token })).body.code as string;
    expect(await scan('GET', `${server.url}/c`, PREVIEWERS[0]!)).toBe(200);
    expect((await detail(s.id)).status).toBe('sms_sent');
    expect((await http('POST', `${server.url}/api/codes/redeem`, { body: { code } })).status).toBe(200);
    const d = await detail(s.id);
    expect(d.events.filter((e) => e.type === 'link_opened')).toHaveLength(1);
    expect(d.status).toBe('consent_given');
  });
});
