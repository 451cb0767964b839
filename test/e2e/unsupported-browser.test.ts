import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { By } from 'selenium-webdriver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fi } from '../../client/src/caller/i18n/fi.js';
import { pl } from '../../client/src/caller/i18n/pl.js';
import { sv } from '../../client/src/caller/i18n/sv.js';
import { uk } from '../../client/src/caller/i18n/uk.js';
import type { CallerText } from '../../client/src/caller/i18n/types.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { TINY_JPEG } from '../support/image.js';
import { dispatcherCreatesSession, sel, typeSpokenCode } from '../support/flow.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';
import { card } from '../support/session.js';
import { launchWebKit } from '../support/webkit.js';

/**
 * A browser that cannot send live video (iOS Lockdown Mode, in-app browsers, old WebViews, engines
 * mediasoup-client does not know). The page finds out at load, before any tap: it never opens the
 * camera, tells the caller in their language what to do, still takes a photo, and the console and
 * the session log say why. Two engines: Chromium with RTCPeerConnection taken away before the page's
 * scripts run, and WebKitGTK, which has none.
 */
let server: TestServer;
let dispatcher: Device;
let token: string;
let photo: string;
let tmp: string;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  token = await login(server);
  dispatcher = await launchDevice();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'sightline-unsupported-'));
  photo = path.join(tmp, 'photo.jpg');
  await writeFile(
    photo,
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=green:s=96x64', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1']),
  );
});

afterAll(async () => {
  await dispatcher?.close();
  await server?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

type Event = { type: string; details?: Record<string, unknown> };

async function events(sessionId: string): Promise<{ status: string; events: Event[] }> {
  return (await http('GET', `${server.url}/api/sessions/${sessionId}`, { token })).body;
}

/** What the console and the log must show once the page has loaded in such a browser, and after its photo. */
async function expectCauseShown(sessionId: string, reason: string, browser: string, words: RegExp): Promise<void> {
  const c = card(dispatcher.page, sessionId);
  const notice = await waitFor('the cause on the console card', async () => {
    const n = await dispatcher.page.$eval(c.sel('browser-problem'), (el) => ({
      text: el.textContent ?? '',
      visible: (el as HTMLElement).offsetParent !== null,
    }));
    return n.visible && n.text ? n.text : undefined;
  });
  expect(notice).toMatch(words);
  expect(notice).toMatch(/Safari or Chrome/);
  const log = await events(sessionId);
  expect(log.events.filter((e) => e.type === 'browser_unsupported')).toEqual([expect.objectContaining({ details: { reason, browser } })]);
  expect(log.events.filter((e) => e.type === 'link_opened')).toEqual([expect.objectContaining({ details: { browser } })]);
}

async function expectPhotoArrived(sessionId: string): Promise<void> {
  const c = card(dispatcher.page, sessionId);
  await waitFor('the photo listed on the card', async () => (await dispatcher.page.$$(c.sel('snapshot-item'))).length === 1);
  const log = await events(sessionId);
  expect(log.events.map((e) => e.type)).toContain('photo_uploaded');
  // The camera was never asked for, and the invite is unspent: the same link still works in a real browser.
  for (const type of ['consent_given', 'camera_granted', 'camera_denied', 'live']) expect(log.events.map((e) => e.type)).not.toContain(type);
  expect(log.status).toBe('link_opened');
  expect((await http('GET', `${server.url}/api/invites/${inviteCodeOf(sessionId)}`)).body).toMatchObject({ valid: true });
}

const invites = new Map<string, string>();
const inviteCodeOf = (sessionId: string) => invites.get(sessionId)!;

async function newSession(language: string): Promise<{ sessionId: string; inviteUrl: string }> {
  const s = await dispatcherCreatesSession(dispatcher.page, server.url, { language });
  invites.set(s.sessionId, s.inviteUrl.split('/j/')[1]!);
  return s;
}

/** Reads the caller page as a test and the caller would: its state, its help, what can be tapped. */
async function callerPage(page: Page) {
  return page.evaluate(() => {
    const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    const shown = (id: string) => Boolean(q(id)?.offsetParent);
    return {
      state: q('caller-status')?.dataset['state'],
      status: q('caller-status')?.textContent ?? '',
      help: shown('camera-help') ? q('camera-help')?.textContent : undefined,
      start: shown('start-video'),
      photo: Boolean(q('photo-upload')?.closest('label')?.offsetParent),
      cameraOn: Boolean((document.querySelector('video#local') as HTMLVideoElement | null)?.srcObject),
    };
  });
}

describe('a browser that cannot send live video', () => {
  it('Chromium without RTCPeerConnection: help in Swedish at load, no camera, a photo still goes, the console and log say why', async () => {
    const { sessionId, inviteUrl } = await newSession('sv');
    const phone = await launchDevice({ mobile: true });
    try {
      await phone.page.evaluateOnNewDocument(() => {
        const w = window as unknown as Record<string, unknown>;
        delete w['RTCPeerConnection'];
        delete w['webkitRTCPeerConnection'];
        // Counts every camera request: there must be none.
        const media = navigator.mediaDevices;
        const open = media.getUserMedia.bind(media);
        w['__cameraRequests'] = 0;
        media.getUserMedia = (c) => {
          w['__cameraRequests'] = (w['__cameraRequests'] as number) + 1;
          return open(c);
        };
      });
      await phone.page.goto(inviteUrl);
      await waitFor('caller-status unsupported', async () => (await callerPage(phone.page)).state === 'unsupported');
      await waitFor('help in Swedish', async () => (await callerPage(phone.page)).help === sv.help.unsupported);
      const seen = await callerPage(phone.page);
      expect(seen).toMatchObject({ start: false, photo: true, cameraOn: false });
      expect(seen.status).toContain(sv.status.unsupported);
      await expectCauseShown(sessionId, 'no_peer_connection', 'chrome', /no WebRTC/);

      const input = (await phone.page.$(sel('photo-upload'))) as ElementHandle<HTMLInputElement>;
      await input.uploadFile(photo);
      await waitFor('photo sent', async () => (await phone.page.$eval('#extras-note', (el) => el.textContent)) === sv.photoSent);
      await expectPhotoArrived(sessionId);
      expect(await phone.page.evaluate(() => (window as unknown as { __cameraRequests: number }).__cameraRequests)).toBe(0);
    } finally {
      await phone.close();
    }
  });

  it('Chromium without getUserMedia (an in-app browser): told at load to open a real browser, in Polish', async () => {
    const { sessionId, inviteUrl } = await newSession('pl');
    const phone = await launchDevice({ mobile: true });
    try {
      // A desktop-looking UA: only the missing API can make the page pick the in-app text.
      await phone.page.setUserAgent({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' });
      await phone.page.evaluateOnNewDocument(() => Object.defineProperty(Navigator.prototype, 'mediaDevices', { get: () => undefined, configurable: true }));
      await phone.page.goto(inviteUrl);
      await waitFor('help in Polish', async () => (await callerPage(phone.page)).help === pl.help.inApp);
      expect(await callerPage(phone.page)).toMatchObject({ state: 'unsupported', start: false, photo: true });
      await expectCauseShown(sessionId, 'no_get_user_media', 'chrome', /cannot use the camera/);
    } finally {
      await phone.close();
    }
  });

  it('a page not served over HTTPS (no camera API, no WebRTC for it): the console names the cause', async () => {
    const { sessionId, inviteUrl } = await newSession('sv');
    // Another name for this server: http:// on anything but localhost is not a secure context.
    const phone = await launchDevice({ mobile: true, args: ['--host-resolver-rules=MAP caller.example 127.0.0.1'] });
    try {
      await phone.page.goto(inviteUrl.replace('127.0.0.1', 'caller.example'));
      expect(await phone.page.evaluate(() => window.isSecureContext)).toBe(false);
      await waitFor('help in Swedish', async () => (await callerPage(phone.page)).help === sv.help.unsupported);
      expect(await callerPage(phone.page)).toMatchObject({ state: 'unsupported', start: false, photo: true, cameraOn: false });
      await expectCauseShown(sessionId, 'insecure_context', 'chrome', /not opened over HTTPS/);
    } finally {
      await phone.close();
    }
  });

  it('an in-app browser (Instagram on Android) gets the open-in-browser help', async () => {
    const { sessionId, inviteUrl } = await newSession('sv');
    const phone = await launchDevice({ mobile: true });
    try {
      const ua =
        'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Mobile Safari/537.36 Instagram 339.0.0.29.90 Android';
      await phone.page.setUserAgent({ userAgent: ua, platform: 'Linux armv8l' });
      await phone.page.evaluateOnNewDocument(() => {
        delete (window as unknown as Record<string, unknown>)['RTCPeerConnection'];
      });
      await phone.page.goto(inviteUrl);
      await waitFor('in-app help in Swedish', async () => (await callerPage(phone.page)).help === sv.help.inApp);
      await expectCauseShown(sessionId, 'no_peer_connection', 'instagram', /Instagram's built-in browser/);
    } finally {
      await phone.close();
    }
  });

  it('the spoken-code page: told at load, the code still lets a photo through, and its redemption carries the cause to the log', async () => {
    const { sessionId } = await newSession('sv');
    const phone = await launchDevice({ mobile: true });
    try {
      await phone.page.evaluateOnNewDocument(() => {
        delete (window as unknown as Record<string, unknown>)['RTCPeerConnection'];
        const w = window as unknown as Record<string, unknown>;
        const media = navigator.mediaDevices;
        const open = media.getUserMedia.bind(media);
        w['__cameraRequests'] = 0;
        media.getUserMedia = (c) => {
          w['__cameraRequests'] = (w['__cameraRequests'] as number) + 1;
          return open(c);
        };
      });
      await phone.page.goto(`${server.url}/c`);
      // Before any code, the page cannot know the session's language: the browser's own (not Swedish) is fine here.
      await waitFor('caller-status unsupported', async () => (await callerPage(phone.page)).state === 'unsupported');
      expect((await callerPage(phone.page)).help).toBeTruthy();
      const { code } = (await http('POST', `${server.url}/api/sessions/${sessionId}/code`, { token })).body as { code: string };
      await phone.page.waitForSelector(`${sel('code-submit')}:not([disabled])`);
      await typeSpokenCode(phone.page, code);
      await waitFor('redeemed, still unsupported, location offered', async () => {
        const seen = await phone.page.evaluate(() => ({
          form: !(document.getElementById('code-form') as HTMLElement).hidden,
          location: Boolean(document.querySelector<HTMLElement>('[data-testid="share-location"]')?.offsetParent),
        }));
        return !seen.form && seen.location;
      });
      expect(await callerPage(phone.page)).toMatchObject({ state: 'unsupported', start: false, photo: true, cameraOn: false });
      await expectCauseShown(sessionId, 'no_peer_connection', 'chrome', /no WebRTC/);

      const input = (await phone.page.$(sel('photo-upload'))) as ElementHandle<HTMLInputElement>;
      await input.uploadFile(photo);
      const c = card(dispatcher.page, sessionId);
      await waitFor('the photo listed on the card', async () => (await dispatcher.page.$$(c.sel('snapshot-item'))).length === 1);
      const types = (await events(sessionId)).events.map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['code_redeemed', 'consent_given', 'photo_uploaded']));
      for (const type of ['camera_granted', 'camera_denied', 'live']) expect(types).not.toContain(type);
      expect(await phone.page.evaluate(() => (window as unknown as { __cameraRequests: number }).__cameraRequests)).toBe(0);
    } finally {
      await phone.close();
    }
  });

  it('WebKitGTK (no RTCPeerConnection): help in Ukrainian at load, no camera, a photo still goes, the console and log say why', async () => {
    const { sessionId, inviteUrl } = await newSession('uk');
    const webkit = await launchWebKit();
    const d = webkit.driver;
    try {
      // The engine as it is: no WebRTC, but a camera API with a mock camera (so only the check keeps it shut).
      await d.get(inviteUrl);
      const apis = await d.executeScript<[string, boolean]>('return [typeof RTCPeerConnection, typeof navigator.mediaDevices?.getUserMedia === "function"]');
      expect(apis).toEqual(['undefined', true]);
      const read = () =>
        d.executeScript<{ state?: string; status: string; help?: string; start: boolean; photo: boolean; cameraOn: boolean }>(`
          const q = (id) => document.querySelector('[data-testid="' + id + '"]');
          const shown = (id) => Boolean(q(id) && q(id).offsetParent);
          return {
            state: q('caller-status').dataset.state,
            status: q('caller-status').textContent,
            help: shown('camera-help') ? q('camera-help').textContent : undefined,
            start: shown('start-video'),
            photo: Boolean(q('photo-upload').closest('label').offsetParent),
            cameraOn: Boolean(document.querySelector('video#local').srcObject),
          };`);
      await waitFor('help in Ukrainian', async () => (await read()).help === (uk as CallerText).help.unsupported, 30_000, 200);
      const seen = await read();
      expect(seen).toMatchObject({ state: 'unsupported', start: false, photo: true, cameraOn: false });
      expect(seen.status).toContain(uk.status.unsupported);
      await expectCauseShown(sessionId, 'no_peer_connection', 'webkit', /no WebRTC/);

      await d.findElement(By.css(sel('photo-upload'))).sendKeys(photo);
      await waitFor('photo sent', async () => (await d.findElement(By.id('extras-note')).getText()) === uk.photoSent, 20_000, 200);
      await expectPhotoArrived(sessionId);
    } finally {
      await webkit.close();
    }
  });

  it('the cause leaves the card once video starts in a real browser, and a later report from another browser does not bring it back over live video', async () => {
    const { sessionId, inviteUrl } = await newSession('nb');
    const code = inviteCodeOf(sessionId);
    const c = card(dispatcher.page, sessionId);
    const noticeShown = () => dispatcher.page.$eval(c.sel('browser-problem'), (el) => (el as HTMLElement).offsetParent !== null);
    const report = (body: Record<string, string>) => http('POST', `${server.url}/api/invites/${code}/opened`, { body });
    // First the link in Instagram's browser (no camera API there): the card says why.
    expect((await report({ browser: 'instagram', unsupported: 'no_get_user_media' })).status).toBe(204);
    await waitFor('the cause on the card', noticeShown);
    const phone = await launchDevice({ mobile: true });
    try {
      // Then in a real browser: video starts, the cause goes.
      await phone.page.goto(inviteUrl);
      await phone.page.waitForSelector(`${sel('start-video')}:not([disabled])`);
      await phone.page.click(sel('start-video'));
      await c.waitStatus('live', 30_000);
      await waitFor('the cause gone while live', async () => !(await noticeShown()));
      // The link opened once more in another app's browser (a forwarded SMS, a tap in a chat app) while
      // the caller streams: the invite is spent, so the report is refused (410) and logs nothing (issue
      // #11: a spent link's holder has no part left), and the live card does not say there is no video.
      expect((await report({ browser: 'facebook', unsupported: 'no_peer_connection' })).status).toBe(410);
      expect(await c.status()).toBe('live');
      expect((await c.timeline()).filter((t) => t === 'browser_unsupported')).toHaveLength(1);
      expect(await noticeShown(), 'no "cannot send video" over live video').toBe(false);
      // Nor after the dispatcher reloads the console (the card is built again from the log).
      await dispatcher.page.reload();
      await c.waitStatus('live', 30_000);
      await waitFor('the timeline rebuilt', async () => (await c.timeline()).filter((t) => t === 'browser_unsupported').length === 1);
      expect(await noticeShown(), 'not after a reload either').toBe(false);
    } finally {
      await phone.close();
    }
  });

  it('a photo the server refuses because the session ended, or the link was used in another browser, shows that instead of asking to try again', async () => {
    for (const { after, state } of [
      { after: (id: string) => http('POST', `${server.url}/api/sessions/${id}/end`, { token, body: {} }), state: 'ended' },
      { after: (id: string) => http('POST', `${server.url}/api/invites/${inviteCodeOf(id)}/redeem`), state: 'expired' },
    ] as const) {
      const { sessionId, inviteUrl } = await newSession('fi');
      const phone = await launchDevice({ mobile: true });
      try {
        await phone.page.evaluateOnNewDocument(() => {
          delete (window as unknown as Record<string, unknown>)['RTCPeerConnection'];
        });
        await phone.page.goto(inviteUrl);
        await waitFor('caller-status unsupported', async () => (await callerPage(phone.page)).state === 'unsupported');
        expect((await after(sessionId)).status, state).toBe(200);
        // The page has no socket before a tap: it learns only from the refusal of its photo.
        const input = (await phone.page.$(sel('photo-upload'))) as ElementHandle<HTMLInputElement>;
        await input.uploadFile(photo);
        await waitFor(`caller-status ${state}`, async () => (await callerPage(phone.page)).state === state);
        const seen = await callerPage(phone.page);
        expect(seen.status, state).toBe(fi.status[state]);
        expect(seen.help, `${state}: no help to open another browser`).toBeUndefined();
        expect(seen, `${state}: no photo offered, nothing to tap`).toMatchObject({ photo: false, start: false });
      } finally {
        await phone.close();
      }
    }
  });

  it("a photo over the per-session limit says to wait a little, in the caller's language", async () => {
    const { inviteUrl, sessionId } = await newSession('fi');
    const phone = await launchDevice({ mobile: true });
    try {
      await phone.page.evaluateOnNewDocument(() => {
        delete (window as unknown as Record<string, unknown>)['RTCPeerConnection'];
      });
      await phone.page.goto(inviteUrl);
      await waitFor('caller-status unsupported', async () => (await callerPage(phone.page)).state === 'unsupported');
      // Someone with the link has spent the session's photos (20 in 10 minutes, server/src/ratelimit/limits.ts).
      const jpeg = new Blob([new Uint8Array(TINY_JPEG)], { type: 'image/jpeg' });
      let status = 0;
      while (status !== 429) {
        status = (
          await fetch(`${server.url}/api/invites/${inviteCodeOf(sessionId)}/photos`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: jpeg })
        ).status;
        expect([201, 429]).toContain(status);
      }
      const input = (await phone.page.$(sel('photo-upload'))) as ElementHandle<HTMLInputElement>;
      await input.uploadFile(photo);
      await waitFor('told to wait', async () => (await phone.page.$eval('#extras-note', (el) => el.textContent)) === fi.trouble.tooManyTries);
      expect((await callerPage(phone.page)).state).toBe('unsupported');
    } finally {
      await phone.close();
    }
  });
});
