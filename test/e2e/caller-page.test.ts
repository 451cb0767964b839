import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ar } from '../../client/src/caller/i18n/ar.js';
import { da } from '../../client/src/caller/i18n/da.js';
import { en } from '../../client/src/caller/i18n/en.js';
import { fi } from '../../client/src/caller/i18n/fi.js';
import { nb } from '../../client/src/caller/i18n/nb.js';
import { nn } from '../../client/src/caller/i18n/nn.js';
import { pl } from '../../client/src/caller/i18n/pl.js';
import { so } from '../../client/src/caller/i18n/so.js';
import { sv } from '../../client/src/caller/i18n/sv.js';
import type { CallerText } from '../../client/src/caller/i18n/types.js';
import { uk } from '../../client/src/caller/i18n/uk.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { guideSteps, openConsole, sel, typeSpokenCode } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card } from '../support/session.js';

/**
 * Issue #14, part 3: a caller page that needs no instructions. The caller is a stressed stranger on
 * a phone (390 px wide, ten languages); every check runs there, and the ones about layout also at
 * 1280x720 (a caller on a laptop). The centre's name comes from the server's configuration.
 */
const TEXTS: Record<string, CallerText> = { nb, nn, sv, da, fi, en, ar, pl, so, uk };
const CENTRE = 'AMK Oslo';
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { width: 1280, height: 720, isMobile: false, hasTouch: false, deviceScaleFactor: 1 };
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

let server: TestServer;
let phone: Device;
let desk: Device;
let staff: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startServer({ RECORDING_POLICY: 'on-demand', CENTRE_NAME: CENTRE });
  [phone, desk] = await Promise.all([launchDevice({ mobile: true }), launchDevice()]);
  staff = await login(server);
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await Promise.all([phone?.close(), desk?.close()]);
  await server?.stop();
});

async function newSession(language = 'nb'): Promise<{ id: string; inviteUrl: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token: staff, body: { phone: '+4791234567', language } });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, inviteUrl: r.body.inviteUrl as string };
}

async function spokenCode(sessionId: string): Promise<string> {
  const r = await http('POST', `${server.url}/api/sessions/${sessionId}/code`, { token: staff });
  expect(r.body.code, JSON.stringify(r.body)).toMatch(/^\d{6}$/);
  return r.body.code as string;
}

/** A dispatcher's socket joined to the session (the console's own requests, without its UI). */
async function dispatcherSocket(sessionId: string): Promise<Socket> {
  const s = io(server.url, { auth: { token: staff }, transports: ['websocket'] });
  sockets.push(s);
  expect((await s.emitWithAck('session:join', { sessionId })).ok).toBe(true);
  return s;
}

/** A fresh tab at `viewport`, whose camera is refused while `window.__deny` is not false. */
async function tab(device: Device, viewport: typeof PHONE, opts: { deny?: boolean; ua?: string } = {}): Promise<Page> {
  const page = await device.browser.newPage();
  await page.setViewport(viewport);
  if (opts.ua) await page.setUserAgent({ userAgent: opts.ua, platform: 'Linux armv8l' });
  if (opts.deny)
    await page.evaluateOnNewDocument(() => {
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (c) =>
        (window as unknown as { __deny?: boolean }).__deny === false ? real(c) : Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
  return page;
}

/** Whether the page is wider than its viewport (anything to scroll sideways). */
const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

const visible = (page: Page, testid: string) =>
  page.$eval(sel(testid), (el) => el.checkVisibility() && el.getBoundingClientRect().height > 0).catch(() => false);

/** Every visible interactive element smaller than 44x44 CSS px (a label wrapping a file input counts as its input). */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], label.photo-button'))
      .filter((el) => el.checkVisibility({ opacityProperty: false }))
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0 && (r.width < 44 || r.height < 44))
      .map(({ el, r }) => `${el.dataset['testid'] ?? el.id ?? el.tagName} ${Math.round(r.width)}x${Math.round(r.height)}`),
  );
}

/** Serious or critical axe-core violations on the page as it is (evaluated over devtools: the page's CSP refuses inline scripts). */
async function axeSerious(page: Page): Promise<string[]> {
  await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    const result = await (window as unknown as { axe: { run: (ctx: Document) => Promise<Result> } }).axe.run(document);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function goLiveByTap(page: Page, inviteUrl: string): Promise<void> {
  await page.goto(inviteUrl);
  await page.waitForSelector(`${sel('start-video')}:not([disabled])`);
  await page.click(sel('start-video'));
  await waitFor('caller live', async () => (await callerStatus(page)) === 'live', 20_000);
}

describe('/c, the spoken code', () => {
  for (const [size, viewport, name] of [
    [
      'a 390 px phone',
      PHONE,
      'fits a 390 px phone in all ten languages, has the focus, and takes a code typed with a space or a dash by itself at the sixth digit',
    ],
    ['1280x720', DESKTOP, 'fits 1280x720 in all ten languages, has the focus, and takes a code typed with a space or a dash by itself at the sixth digit'],
  ] as const) {
    it(name, async () => {
      const page = await tab(viewport === PHONE ? phone : desk, viewport);
      try {
        await page.goto(`${server.url}/c`);
        await page.waitForSelector(`${sel('code-submit')}:not([disabled])`);
        expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('code-input');
        // The real policy and who is asking, before any code can go.
        expect(await page.$eval(sel('centre-name'), (el) => el.textContent)).toBe(CENTRE);
        for (const [lang, t] of Object.entries(TEXTS)) {
          await page.select(sel('language-select'), lang);
          await waitFor(`${lang} shown`, async () => (await page.$eval(sel('recording-notice'), (el) => el.textContent)) === t.recording['on-demand']);
          expect(await overflows(page), `${lang} overflows ${size}`).toBe(false);
          const field = await page.$eval(sel('code-input'), (el) => {
            const r = el.getBoundingClientRect();
            return { right: r.right, left: r.left, width: document.documentElement.clientWidth };
          });
          expect(field.left >= 0 && field.right <= field.width, `${lang}: the field sticks out ${JSON.stringify(field)}`).toBe(true);
          expect(await smallTargets(page), lang).toEqual([]);
        }
        await page.select(sel('language-select'), 'nb');
        const first = await newSession();
        const code = await spokenCode(first.id);
        // Read aloud in two groups; no button pressed.
        await typeSpokenCode(page, `${code.slice(0, 3)} ${code.slice(3)}`);
        await waitFor('live by the spoken code with a space', async () => (await callerStatus(page)) === 'live', 20_000);
      } finally {
        await page.close();
      }
      const again = await tab(viewport === PHONE ? phone : desk, viewport);
      try {
        await again.goto(`${server.url}/c`);
        const second = await newSession();
        const code = await spokenCode(second.id);
        await typeSpokenCode(again, `${code.slice(0, 3)}-${code.slice(3)}`);
        await waitFor('live by the spoken code with a dash', async () => (await callerStatus(again)) === 'live', 20_000);
      } finally {
        await again.close();
      }
    });
  }
});

describe('the page before the tap', () => {
  it('names the centre, warns that the phone will ask for the camera, and is light: dark text on a light ground', async () => {
    const page = await tab(phone, PHONE);
    try {
      await page.goto((await newSession()).inviteUrl);
      await page.waitForSelector(`${sel('start-video')}:not([disabled])`);
      expect(await page.$eval(sel('centre-name'), (el) => el.textContent)).toBe(CENTRE);
      expect(await page.$eval(sel('camera-warning'), (el) => el.textContent)).toBe(nb.cameraWarning);
      const { ground, ink } = await page.evaluate(() => {
        /** Relative luminance (WCAG 2.x) of a computed rgb() colour. */
        const lum = (c: string) => {
          const [r, g, b] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
            const s = Number(v) / 255;
            return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
        };
        return { ground: lum(getComputedStyle(document.body).backgroundColor), ink: lum(getComputedStyle(document.body).color) };
      });
      expect(ground, 'a light ground').toBeGreaterThan(0.8);
      // WCAG AAA for body text: 7:1.
      expect((ground + 0.05) / (ink + 0.05)).toBeGreaterThan(7);
      expect(await smallTargets(page)).toEqual([]);
      expect(await overflows(page)).toBe(false);
      expect(await axeSerious(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('a blocked camera', () => {
  for (const [viewport, name] of [
    [PHONE, 'on a 390 px phone: numbered steps for the platform instead of the start button, try again, a photo instead; the console reads the same steps'],
    [DESKTOP, 'on 1280x720: numbered steps for the platform instead of the start button, try again, a photo instead; the console reads the same steps'],
  ] as const) {
    it(name, async () => {
      const console = await desk.browser.newPage();
      await console.setViewport(DESKTOP);
      const page = await tab(phone, viewport, { deny: true, ua: ANDROID_CHROME });
      try {
        const s = await newSession();
        await openConsole(console, server.url);
        const c = card(console, s.id);
        await page.goto(s.inviteUrl);
        await page.waitForSelector(`${sel('start-video')}:not([disabled])`);
        await page.click(sel('start-video'));
        expect(await guideSteps(page)).toEqual(nb.guide.android);
        expect(await callerStatus(page)).toBe('camera_denied');
        // No raw state name, no start button left to tap: the guide is the first thing under the language.
        expect(await page.$eval(sel('caller-status'), (el) => el.textContent)).toBe(nb.status.camera_denied);
        expect(await visible(page, 'start-video')).toBe(false);
        expect(await visible(page, 'camera-retry')).toBe(true);
        const widths = await page.evaluate(() => ({
          photo: document.querySelector('[data-testid="photo-instead"]')!.closest('label')!.getBoundingClientRect().width,
          guide: document.querySelector('[data-testid="camera-guide"]')!.getBoundingClientRect().width,
          capture: document.querySelector('[data-testid="photo-instead"]')!.getAttribute('capture'),
        }));
        expect(widths.capture).toBe('environment');
        expect(widths.photo, 'the photo button spans the guide').toBeGreaterThan(widths.guide * 0.85);
        expect(await smallTargets(page)).toEqual([]);
        expect(await overflows(page)).toBe(false);
        expect(await axeSerious(page)).toEqual([]);

        // The console: which browser, and the steps to read aloud.
        await c.waitStatus('camera_denied');
        const notice = await waitFor('the steps on the console', async () => {
          const n = await console.$eval(c.sel('browser-problem'), (el) => ({
            text: el.querySelector('p')?.textContent ?? '',
            steps: Array.from(el.querySelectorAll('li')).map((li) => li.textContent),
            reason: el.getAttribute('data-reason'),
            shown: el.checkVisibility(),
          }));
          return n.shown && n.reason === 'camera_denied' ? n : undefined;
        });
        expect(notice.text).toMatch(/Chrome on Android/);
        expect(notice.steps).toEqual(en.guide.android);

        // The caller changed the setting: "try again" opens the camera without a reload.
        await page.evaluate(() => ((window as unknown as { __deny?: boolean }).__deny = false));
        await page.click(sel('camera-retry'));
        await waitFor('live after try again', async () => (await callerStatus(page)) === 'live', 20_000);
        expect(await visible(page, 'camera-guide')).toBe(false);
        await c.waitStatus('live');
        await waitFor('the console steps gone', async () => !(await console.$eval(c.sel('browser-problem'), (el) => el.checkVisibility())));
      } finally {
        await Promise.all([page.close(), console.close()]);
      }
    });
  }
});

describe('live, on a 390 px phone', () => {
  it('says every dispatcher action over the preview in the caller language, labels senders by word, and keeps every target 44 px', async () => {
    const page = await tab(phone, PHONE);
    try {
      const s = await newSession('sv');
      await goLiveByTap(page, s.inviteUrl);
      const d = await dispatcherSocket(s.id);
      const notice = async (kind: string) =>
        waitFor(`a ${kind} notice`, async () => {
          const n = await page.$eval(sel('dispatcher-notice'), (el) => ({
            kind: el.getAttribute('data-kind'),
            text: el.textContent ?? '',
            shown: el.checkVisibility(),
            over: (() => {
              const a = el.getBoundingClientRect();
              const v = document.querySelector('[data-testid="local-video"]')!.getBoundingClientRect();
              return a.top >= v.top - 1 && a.bottom <= v.bottom + 1 && a.height > 0;
            })(),
          }));
          return n.shown && n.kind === kind ? n : undefined;
        });

      expect((await d.emitWithAck('chat:send', { sessionId: s.id, text: 'Hold the phone steady.', presetId: 'hold_steady' })).ok).toBe(true);
      const message = await notice('message');
      expect(message.text).toBe(`${sv.from.dispatcher} ${sv.presets.hold_steady}`);
      expect(message.over, 'the notice sits over the preview').toBe(true);
      expect(await page.$eval(`${sel('chat-log')} li .chat-from`, (el) => el.textContent)).toBe(sv.from.dispatcher);
      expect((await d.emitWithAck('chat:send', { sessionId: s.id, text: 'Vi kommer' })).ok).toBe(true);
      await waitFor('the second message', async () => (await notice('message')).text === `${sv.from.dispatcher} Vi kommer`);
      // The caller's own line is labelled "Du", and is not announced back to them.
      await page.type(sel('chat-input'), 'Han andas inte');
      await page.click(sel('chat-send'));
      await waitFor(
        'the caller line',
        async () => (await page.$$eval(`${sel('chat-log')} li[data-from="caller"] .chat-from`, (els) => els.map((e) => e.textContent)))[0] === sv.from.caller,
      );
      expect((await notice('message')).text).toBe(`${sv.from.dispatcher} Vi kommer`);

      expect((await d.emitWithAck('control:request', { sessionId: s.id, action: 'flip' })).ok).toBe(true);
      expect((await notice('flip')).text).toBe(sv.notice.flip);
      // The fake camera has no torch: the request fails, and the caller is told so.
      expect((await d.emitWithAck('control:request', { sessionId: s.id, action: 'torch_on' })).ok).toBe(true);
      expect((await notice('torch_failed')).text).toBe(sv.notice.torchFailed);

      expect((await http('POST', `${server.url}/api/sessions/${s.id}/recording`, { token: staff, body: { action: 'start' } })).status).toBe(200);
      expect((await notice('recording_on')).text).toBe(sv.notice.recordingOn);
      expect((await http('POST', `${server.url}/api/sessions/${s.id}/recording`, { token: staff, body: { action: 'stop' } })).status).toBe(200);
      expect((await notice('recording_off')).text).toBe(sv.notice.recordingOff);

      // In the caller's language of the moment.
      await page.select(sel('language-select'), 'fi');
      await waitFor('the notice in Finnish', async () => (await notice('recording_off')).text === fi.notice.recordingOff);

      expect(await smallTargets(page)).toEqual([]);
      expect(await overflows(page)).toBe(false);
      expect(await axeSerious(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('stops the video for good beside pause: the camera let go, the server logs it without a lost-video alarm, the console says so', async () => {
    const console = await desk.browser.newPage();
    await console.setViewport(DESKTOP);
    const page = await tab(phone, PHONE);
    try {
      const s = await newSession();
      await openConsole(console, server.url);
      const c = card(console, s.id);
      await goLiveByTap(page, s.inviteUrl);
      await c.waitStatus('live');
      const beside = await page.evaluate(() => {
        const r = (id: string) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect();
        return Math.abs(r('stop-video').top - r('pause-video').top) < r('pause-video').height * 1.5;
      });
      expect(beside, 'stop sits beside pause').toBe(true);
      await page.click(sel('stop-video'));
      await waitFor('stopped', async () => (await callerStatus(page)) === 'stopped');
      expect(await page.$eval(sel('caller-status'), (el) => el.textContent)).toBe(nb.status.stopped);
      expect(await visible(page, 'local-video')).toBe(false);
      expect(await visible(page, 'chat-input')).toBe(true);
      await waitFor('the camera let go', () => page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).srcObject === null));
      await waitFor('logged', async () => {
        const log = (await http('GET', `${server.url}/api/sessions/${s.id}`, { token: staff })).body as { events: { type: string; actor: string }[] };
        return log.events.some((e) => e.type === 'video_stopped' && e.actor === 'caller');
      });
      await waitFor('the console says the caller stopped', async () =>
        console.$eval(c.sel('browser-problem'), (el) => el.checkVisibility() && el.getAttribute('data-reason') === 'video_stopped'),
      );
      // The media going away was the caller's choice: no reconnecting, no VIDEO LOST.
      await new Promise((r) => setTimeout(r, 3000));
      expect(await c.status()).not.toBe('reconnecting');
    } finally {
      await Promise.all([page.close(), console.close()]);
    }
  });

  it('ends on a real end screen (stay on the phone), without REC, chat or camera controls', async () => {
    const page = await tab(phone, PHONE);
    try {
      const s = await newSession();
      await goLiveByTap(page, s.inviteUrl);
      const d = await dispatcherSocket(s.id);
      await d.emitWithAck('chat:send', { sessionId: s.id, text: 'Hei' });
      await http('POST', `${server.url}/api/sessions/${s.id}/recording`, { token: staff, body: { action: 'start' } });
      await waitFor('REC', () => visible(page, 'recording-indicator'));
      expect((await http('POST', `${server.url}/api/sessions/${s.id}/end`, { token: staff })).status).toBe(200);
      await waitFor('ended', async () => (await callerStatus(page)) === 'ended');
      expect(await page.$eval(sel('caller-status'), (el) => el.textContent)).toBe(nb.status.ended);
      for (const testid of [
        'recording-indicator',
        'chat-log',
        'chat-input',
        'flip-camera',
        'pause-video',
        'stop-video',
        'local-video',
        'share-location',
        'dispatcher-notice',
      ])
        expect(await visible(page, testid), testid).toBe(false);
    } finally {
      await page.close();
    }
  });
});
