import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ar } from '../../client/src/caller/i18n/ar.js';
import { nb } from '../../client/src/caller/i18n/nb.js';
import { pl } from '../../client/src/caller/i18n/pl.js';
import { sv } from '../../client/src/caller/i18n/sv.js';
import { uk } from '../../client/src/caller/i18n/uk.js';
import type { CallerText } from '../../client/src/caller/i18n/types.js';
import { framesDecoded, launchDevice, waitFor, type Device } from '../support/browser.js';
import { dispatcherCreatesSession, guideSteps, sel, typeSpokenCode } from '../support/flow.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card } from '../support/session.js';

/**
 * The other ways in and around a session: a view-only viewer, the spoken code at /c, the caller's
 * language, a blocked camera, and the console's accessibility.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

describe('ways in', () => {
  it('lets the caller in with the spoken code at /c, and a viewer watch but do nothing else', async () => {
    const { sessionId } = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-CODE' });
    const c = card(dispatcher.page, sessionId);
    await dispatcher.page.click(c.sel('spoken-code-button'));
    const code = await waitFor('spoken code', async () => (await c.text('spoken-code')).match(/^\d{6}$/)?.[0]);

    await caller.page.goto(`${server.url}/c`);
    await typeSpokenCode(caller.page, code);
    await waitFor('caller live via code', async () => (await callerStatus(caller.page)).startsWith('live'));
    await c.waitStatus('live');
    expect(await c.timeline()).toEqual(expect.arrayContaining(['code_issued', 'consent_given', 'code_redeemed', 'live']));

    await dispatcher.page.click(c.sel('invite-viewer'));
    const viewerUrl = await waitFor('viewer link', async () => (await c.text('viewer-url')) || undefined);
    const viewer = await launchDevice();
    try {
      await viewer.page.goto(viewerUrl);
      // The page turns into the viewer page once it has looked at the invite; its button is then enabled.
      await viewer.page.waitForSelector(`main.viewer ${sel('start-video')}`);
      await viewer.page.click(`main.viewer ${sel('start-video')}`);
      await waitFor('viewer decodes video', async () => (await framesDecoded(viewer.page)) > 10);
      expect(await c.timeline()).toContain('viewer_joined');

      // The viewer's token can watch, and nothing more.
      const viewerToken = await viewer.page.evaluate(() => {
        const key = Object.keys(sessionStorage).find((k) => k.startsWith('sightline.invite.'));
        return key ? (JSON.parse(sessionStorage.getItem(key)!) as { token: string }).token : undefined;
      });
      expect(viewerToken, 'viewer token kept for reconnects').toBeDefined();
      expect((await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token: viewerToken })).status).toBe(401);
      const socket = io(server.url, { auth: { token: viewerToken }, transports: ['websocket'], reconnection: false });
      const send = await socket.emitWithAck('transport:create', { sessionId, direction: 'send' });
      expect(send.ok).toBe(true);
      const produce = await socket.emitWithAck('media:produce', {
        sessionId,
        transportId: send.data.id,
        kind: 'video',
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }] },
      });
      expect(produce).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const control = await socket.emitWithAck('control:request', { sessionId, action: 'flip' });
      expect(control).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      socket.disconnect();
    } finally {
      await viewer.close();
    }
    await c.end();
    await waitFor('caller ended', async () => (await callerStatus(caller.page)).startsWith('ended'));
  });

  it('refuses wrong codes and then rate-limits the address, saying how long to wait (Retry-After)', async () => {
    // An address of its own (X-Forwarded-For, believed from loopback): its window opens with its first try here.
    const redeem = async (code: string) => {
      const res = await fetch(`${server.url}/api/codes/redeem`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.99' },
        body: JSON.stringify({ code }),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), at: Date.now() };
    };
    const firstWrong = Date.now();
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await redeem(String(100000 + i)));
    expect(answers.slice(0, 5).every((a) => a.status === 404 || a.status === 410)).toBe(true);
    expect(answers.slice(0, 5).map((a) => a.retryAfter)).toEqual([null, null, null, null, null]);
    expect(answers.slice(5).map((a) => a.status)).toEqual([429, 429]);

    // Retry-After in whole seconds (RFC 9110), counted from the first wrong code of the 15-minute window.
    const limited = answers[5]!;
    expect(limited.retryAfter).toMatch(/^[1-9]\d*$/);
    const wait = Number(limited.retryAfter);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    expect(wait).toBeGreaterThanOrEqual(15 * 60 - Math.ceil((limited.at - firstWrong) / 1000) - 1);

    // The wait counts down to one fixed moment: asked again later, the header is that much shorter.
    const end = limited.at + wait * 1000;
    const later = await waitFor(
      'a shorter Retry-After',
      async () => {
        const a = await redeem('100000');
        return a.status === 429 && Number(a.retryAfter) < wait ? a : undefined;
      },
      10_000,
      250,
    );
    expect(later.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(Math.abs(later.at + Number(later.retryAfter) * 1000 - end)).toBeLessThanOrEqual(2000);

    // A malformed code is refused for what it is, before any limit.
    expect((await http('POST', `${server.url}/api/codes/redeem`, { body: { code: '12ab' } })).status).toBe(400);
  });
});

describe('the caller page', () => {
  /** What the caller page says right now, and in which language and direction. */
  const shown = (page = caller.page) =>
    page.evaluate(
      (consentSel, recordingSel, startSel) => ({
        consent: document.querySelector(consentSel)?.textContent ?? '',
        recording: document.querySelector(recordingSel)?.textContent ?? '',
        start: document.querySelector(startSel)?.textContent ?? '',
        lang: document.documentElement.lang,
        dir: document.documentElement.dir,
      }),
      sel('consent-text'),
      sel('recording-notice'),
      sel('start-video'),
    );
  /** Waits until the consent is `text`'s, then checks the rest of the page speaks it too. */
  async function expectSpoken(lang: string, text: CallerText, dir: 'ltr' | 'rtl'): Promise<void> {
    await waitFor(`consent in ${lang}`, async () => (await shown()).consent === text.consent);
    const now = await shown();
    expect(now).toEqual({ consent: text.consent, recording: text.recording['on-demand'], start: text.start, lang, dir });
  }

  /** The caller's tap, once the page speaks `text` (the help is written in the language of the moment). */
  async function tapStartIn(page: Page, inviteUrl: string, text: CallerText): Promise<void> {
    await page.goto(inviteUrl);
    await waitFor('consent in the session language', async () => (await shown(page)).consent === text.consent);
    await page.waitForSelector(`${sel('start-video')}:not([disabled])`);
    await page.click(sel('start-video'));
  }

  it('speaks the session language, switches language, and turns right-to-left for Arabic', async () => {
    // The browser's own language must not be the one under test, or the page could pass by ignoring the session.
    const browserLang = (await caller.page.evaluate(() => navigator.language)).slice(0, 2);
    expect(['pl', 'uk', 'ar', 'nb']).not.toContain(browserLang);

    // Chosen in the console's "Language" field by the dispatcher.
    const polish = await dispatcherCreatesSession(dispatcher.page, server.url, { language: 'pl' });
    const token = await login(server);
    expect((await http('GET', `${server.url}/api/sessions/${polish.sessionId}`, { token })).body.language).toBe('pl');
    await caller.page.goto(polish.inviteUrl);
    await expectSpoken('pl', pl, 'ltr');

    // Chosen through the REST API; Arabic turns the page right-to-left before anyone touches it.
    for (const [lang, text, dir] of [
      ['uk', uk, 'ltr'],
      ['ar', ar, 'rtl'],
    ] as const) {
      const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', language: lang } });
      expect(created.status).toBe(201);
      await caller.page.goto(created.body.inviteUrl);
      await expectSpoken(lang, text, dir);
    }
    // No language given: bokmål, the service's default, not the browser's language.
    const plain = await dispatcherCreatesSession(dispatcher.page, server.url);
    await caller.page.goto(plain.inviteUrl);
    await expectSpoken('nb', nb, 'ltr');

    // The caller switches; languages other than bokmål arrive as small chunks of their own when chosen.
    await caller.page.select(sel('language-select'), 'ar');
    await expectSpoken('ar', ar, 'rtl');
    await caller.page.select(sel('language-select'), 'sv');
    await expectSpoken('sv', sv, 'ltr');
  });

  it('explains what to do when the camera is blocked, in words for iOS Safari, Android Chrome and in-app browsers, and tells the console', async () => {
    // The steps differ on each platform; the test would prove nothing if they were the same.
    expect(new Set([nb.guide.ios, nb.guide.android, nb.guide.inApp, nb.guide.other].map((g) => g.join('|'))).size).toBe(4);
    const phones = [
      {
        platform: 'ios',
        os: 'iPhone',
        ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      },
      {
        platform: 'android',
        os: 'Linux armv8l',
        ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
      },
      {
        platform: 'inApp',
        os: 'iPhone',
        ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.36.108;FBBV/612345678;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBCR/;FBID/phone;FBLC/nb_NO;FBOP/5]',
      },
      {
        platform: 'inApp',
        os: 'Linux armv8l',
        ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Mobile Safari/537.36 Instagram 339.0.0.29.90 Android',
      },
    ] as const;
    const blocked = await launchDevice({ mobile: true, denyCamera: true });
    try {
      await blocked.browser.defaultBrowserContext().overridePermissions(server.url, []);
      for (const { platform, os, ua } of phones) {
        const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
        await blocked.page.setUserAgent({ userAgent: ua, platform: os });
        await tapStartIn(blocked.page, inviteUrl, nb);
        expect(await blocked.page.evaluate(() => navigator.userAgent)).toBe(ua);
        await waitFor(`camera_denied on ${platform}`, async () => (await callerStatus(blocked.page)).startsWith('camera_denied'));
        expect(await guideSteps(blocked.page), `${platform}: ${ua}`).toEqual(nb.guide[platform]);
        expect(await blocked.page.$eval(sel('photo-upload'), (el) => (el as HTMLElement).offsetParent !== null)).toBe(true);
        await card(dispatcher.page, sessionId).waitStatus('camera_denied');
      }
    } finally {
      await blocked.close();
    }
  });

  it('sends a browser without getUserMedia (an in-app browser) to a real browser, in the session language', async () => {
    const created = await http('POST', `${server.url}/api/sessions`, { token: await login(server), body: { phone: '+4791234567', language: 'pl' } });
    const bare = await launchDevice({ mobile: true });
    try {
      // A desktop-looking UA: only the missing API can make the page pick the in-app text.
      await bare.page.setUserAgent({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' });
      await bare.page.evaluateOnNewDocument(() => Object.defineProperty(Navigator.prototype, 'mediaDevices', { get: () => undefined, configurable: true }));
      // Found at load, before any tap (test/e2e/unsupported-browser.test.ts): there is no Start to tap.
      await bare.page.goto(created.body.inviteUrl);
      await waitFor('unsupported', async () => (await bare.page.$eval(sel('caller-status'), (el) => el.getAttribute('data-state'))) === 'unsupported');
      await waitFor('help in Polish', async () => (await bare.page.$eval(sel('camera-help'), (el) => el.textContent)) === pl.help.inApp);
    } finally {
      await bare.close();
    }
  });
});

describe('the console', () => {
  it('has no serious accessibility violations (axe-core)', async () => {
    // A console with a live-looking session card on it: the state dispatchers spend their shifts in.
    await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-A11Y' });
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // Evaluated over the devtools protocol: the console's CSP (rightly) refuses inline scripts.
    await dispatcher.page.evaluate(axe);
    const violations = await dispatcher.page.evaluate(async () => {
      const result = await (
        window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }
      ).axe.run(document);
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        nodes: v.nodes.map(
          (n) =>
            (n as { target: string[]; failureSummary?: string }).target.join(' ') +
            ' ' +
            ((n as { failureSummary?: string }).failureSummary ?? '').slice(0, 160),
        ),
      }));
    });
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious, JSON.stringify(serious)).toEqual([]);
  });
});
