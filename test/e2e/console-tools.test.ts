import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { callerStartsVideo, dispatcherCreatesSession, openConsole } from '../support/flow.js';
import { startServer, type TestServer } from '../support/server.js';
import { card, framesKeepRising, liveSession } from '../support/session.js';

/**
 * The console's video tools on a live session: zoom (buttons, and at the pointer with pan, level and
 * reset), fullscreen with its overlay of tools, blur (on demand and "blur new video by default"), and
 * the alarm when the picture stops, both the visible banner and the tones.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let c: ReturnType<typeof card>;

/**
 * Watches the console's Web Audio without changing it: every oscillator started is noted with its
 * frequency, and its context kept to read whether audio is actually running.
 */
const TONE_WATCH = `(() => {
  window.__tones = [];
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.__tones.push(this.frequency.value);
    window.__toneContext = this.context;
    return start.apply(this, args);
  };
})();`;

beforeAll(async () => {
  server = await startServer();
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  await dispatcher.page.evaluateOnNewDocument(TONE_WATCH);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

type Win = { __tones: number[]; __toneContext?: BaseAudioContext; __sightlineStats(id?: string): Promise<RTCStatsReport | undefined> };
const tones = (page: Page) => page.evaluate(() => (window as unknown as Win).__tones.slice());
const toneContext = (page: Page) =>
  page.evaluate(() => {
    const ctx = (window as unknown as Win).__toneContext;
    return ctx && { state: ctx.state, time: ctx.currentTime };
  });

/** Rendered width over laid-out width: the scale the dispatcher sees, transforms included. */
const renderedScale = (page: Page, selector: string) => page.$eval(selector, (el) => el.getBoundingClientRect().width / (el as HTMLElement).offsetWidth);

async function clickTool(page: Page, scope: string, label: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    const clicked = await page.$$eval(
      `${scope} .toolbar button`,
      (buttons, l) => {
        const b = buttons.find((x) => x.textContent === l) as HTMLButtonElement | undefined;
        b?.click();
        return Boolean(b);
      },
      label,
    );
    if (!clicked) throw new Error(`no "${label}" button on the card`);
  }
}

async function waitScale(page: Page, selector: string, want: number): Promise<void> {
  await waitFor(`rendered scale ${want}`, async () => Math.abs((await renderedScale(page, selector)) - want) < 0.01, 5_000);
}

const videoFilter = (page: Page, selector: string) => page.$eval(selector, (el) => getComputedStyle(el).filter);

const alarm = (page: Page) =>
  page.$eval(c.sel('video-lost'), (el) => ({
    shown: !(el as HTMLElement).hidden && el.getBoundingClientRect().height > 0,
    panelLost: el.closest('.video-panel')?.classList.contains('lost') ?? false,
  }));

/** Frames decoded for one session's card (the page hook defaults to the first card). */
const framesOf = (page: Page, sessionId: string) =>
  page.evaluate(async (id) => {
    const report = await (window as unknown as Win).__sightlineStats(id);
    let frames = 0;
    report?.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames = Math.max(frames, s.framesDecoded ?? 0);
    });
    return frames;
  }, sessionId);

describe('console video tools', () => {
  it('zooms the live picture in steps, between 1× and 4×', async () => {
    ({ c } = await liveSession(dispatcher.page, caller.page, server.url));
    await framesKeepRising(dispatcher.page);
    const page = dispatcher.page;
    const video = c.sel('remote-video');
    expect(await renderedScale(page, video)).toBeCloseTo(1, 2);

    await clickTool(page, c.scope, 'Zoom +');
    await waitScale(page, video, 1.25);
    await clickTool(page, c.scope, 'Zoom +');
    await waitScale(page, video, 1.5625);
    // The frame keeps its size and clips the enlarged picture.
    const frame = await page.$eval(`${c.scope} .video-frame`, (el) => ({ w: el.getBoundingClientRect().width, overflow: getComputedStyle(el).overflow }));
    expect(frame.overflow).toBe('hidden');
    expect(frame.w).toBeCloseTo(await page.$eval(video, (el) => (el as HTMLElement).offsetWidth), 0);

    await clickTool(page, c.scope, 'Zoom −', 3);
    await waitScale(page, video, 1);
    await clickTool(page, c.scope, 'Zoom +', 10);
    await waitScale(page, video, 4);
    await clickTool(page, c.scope, 'Zoom −', 10);
    await waitScale(page, video, 1);
  });

  it('shows the picture fullscreen, alarm banner included', async () => {
    const page = dispatcher.page;
    await page.click(c.sel('fullscreen'));
    await waitFor('the video frame fullscreen', () =>
      page.evaluate((scope) => document.fullscreenElement !== null && document.fullscreenElement === document.querySelector(`${scope} .video-frame`), c.scope),
    );
    expect(
      await page.evaluate(
        (scope) => document.querySelector(`${scope} .video-frame`)!.contains(document.querySelector(`${scope} [data-testid="video-lost"]`)),
        c.scope,
      ),
    ).toBe(true);
    await page.evaluate(() => document.exitFullscreen());
    await waitFor('fullscreen left', () => page.evaluate(() => document.fullscreenElement === null));
  });

  it('zooms at the pointer with the wheel, pans by drag, shows the level and resets', async () => {
    const page = dispatcher.page;
    const video = c.sel('remote-video');
    const rect = () => page.$eval(video, (el) => el.getBoundingClientRect().toJSON() as DOMRect);
    const badge = () => page.$eval(c.sel('zoom-level'), (el) => ((el as HTMLElement).hidden ? undefined : el.textContent));
    expect(await badge()).toBeUndefined();
    // The mouse reaches only what is on screen: the card may sit below the fold beside the rail.
    await page.$eval(video, (el) => el.scrollIntoView({ block: 'center' }));
    const r0 = await rect();
    // A point a quarter in from the picture's top-left corner: it must stay under the pointer.
    const p = { x: r0.left + r0.width / 4, y: r0.top + r0.height / 4 };
    await page.mouse.move(p.x, p.y);
    await page.mouse.wheel({ deltaY: -100 });
    await page.mouse.wheel({ deltaY: -100 });
    await waitScale(page, video, 1.5625);
    // The transform eases over 0.15 s: read the picture once it has come to rest.
    await new Promise((r) => setTimeout(r, 400));
    const r1 = await rect();
    expect((p.x - r1.left) / r1.width).toBeCloseTo(0.25, 2);
    expect((p.y - r1.top) / r1.height).toBeCloseTo(0.25, 2);
    expect(await badge()).toBe('1.6×');

    // Drag the picture 100 px left and 50 px up: it follows the pointer.
    await page.mouse.down();
    await page.mouse.move(p.x - 100, p.y - 50, { steps: 5 });
    await page.mouse.up();
    const r2 = await rect();
    expect(r2.left - r1.left).toBeCloseTo(-100, 0);
    expect(r2.top - r1.top).toBeCloseTo(-50, 0);
    // Dragged far right, it stops at its own edge: no black edge pulled into the frame.
    await page.mouse.move(p.x, p.y);
    await page.mouse.down();
    await page.mouse.move(p.x + 2000, p.y + 2000, { steps: 5 });
    await page.mouse.up();
    const r3 = await rect();
    expect(r3.left).toBeCloseTo(r0.left, 0);
    expect(r3.top).toBeCloseTo(r0.top, 0);

    await page.click(c.sel('zoom-reset'));
    await waitScale(page, video, 1);
    expect(await badge()).toBeUndefined();
    expect((await rect()).left).toBeCloseTo(r0.left, 0);
  });

  it('keeps snapshot, blur, zoom and the chat presets in an overlay in fullscreen, and gives them back after', async () => {
    const page = dispatcher.page;
    const inFrame = (testidOrSelector: string) =>
      page.evaluate(
        (scope, s) => {
          const frame = document.querySelector(`${scope} .video-frame`)!;
          const el = document.querySelector(`${scope} ${s}`);
          return Boolean(el && frame.contains(el) && el.getBoundingClientRect().width > 0);
        },
        c.scope,
        testidOrSelector,
      );
    const tools = ['[data-testid="snapshot-button"]', '[data-testid="blur-toggle"]', '[data-testid="zoom-in"]', '[data-preset="show_face"]'];
    await page.click(c.sel('fullscreen'));
    await waitFor('fullscreen', () => page.evaluate(() => document.fullscreenElement !== null));
    // Chromium sets fullscreenElement first and fires fullscreenchange (which lends the tools) with the next frame.
    await waitFor('the tools in the fullscreen overlay', async () => (await Promise.all(tools.map(inFrame))).every(Boolean), 5_000);
    await page.click(c.sel('blur-toggle'));
    expect(await videoFilter(page, c.sel('remote-video'))).toMatch(/^blur\(\d+px\)$/);
    await page.click(c.sel('blur-toggle'));
    await page.click(`${c.scope} [data-preset="show_face"]`);
    await waitFor('the preset sent from fullscreen', () => page.$eval(`${c.scope} .chat-log`, (el) => el.textContent?.includes('Show face')));
    await page.evaluate(() => document.exitFullscreen());
    await waitFor('fullscreen left', () => page.evaluate(() => document.fullscreenElement === null));
    await waitFor(
      'the tools given back',
      async () => !(await page.evaluate((scope) => Boolean(document.querySelector(`${scope} .video-frame [data-preset]`)), c.scope)),
    );
    for (const t of tools) expect(await inFrame(t), t).toBe(false);
    expect(await page.$eval(`${c.scope} .chat [data-preset="show_face"]`, (el) => el.getBoundingClientRect().width > 0)).toBe(true);
  });

  it('blurs and unblurs the picture on demand', async () => {
    const page = dispatcher.page;
    const video = c.sel('remote-video');
    expect(await videoFilter(page, video)).toBe('none');
    expect(await page.$eval(c.sel('blur-toggle'), (el) => el.getAttribute('aria-pressed'))).toBe('false');
    await page.click(c.sel('blur-toggle'));
    expect(await videoFilter(page, video)).toMatch(/^blur\(\d+px\)$/);
    expect(await page.$eval(c.sel('blur-toggle'), (el) => el.getAttribute('aria-pressed'))).toBe('true');
    await page.click(c.sel('blur-toggle'));
    expect(await videoFilter(page, video)).toBe('none');
    expect(await page.$eval(c.sel('blur-toggle'), (el) => el.getAttribute('aria-pressed'))).toBe('false');
  });
});

describe('the alarm when the picture stops', () => {
  it('shows the banner and sounds two tones when the caller picture freezes, and clears when it moves again', async () => {
    const page = dispatcher.page;
    await framesKeepRising(page);
    expect(await alarm(page)).toEqual({ shown: false, panelLost: false });
    const before = (await tones(page)).length;

    // The caller's phone freezes (its whole browser stopped, as when a phone hangs): no more frames,
    // while the session itself still counts as live. Only the console's watch on frames can tell.
    const phone = -caller.browser.process()!.pid!;
    process.kill(phone, 'SIGSTOP');
    try {
      await waitFor('the video-lost banner', async () => (await alarm(page)).shown, 20_000, 200);
      expect(await c.status()).toBe('live');
    } finally {
      process.kill(phone, 'SIGCONT');
    }
    expect((await alarm(page)).panelLost).toBe(true);
    const played = await waitFor(
      'the alarm tones',
      async () => {
        const t = await tones(page);
        return t.length >= before + 2 ? t.slice(before) : undefined;
      },
      5_000,
    );
    expect(played).toEqual([880, 660]);
    // Audio really runs (autoplay allowed in this browser, as on a dispatcher's desk): its clock advances.
    const t0 = await toneContext(page);
    expect(t0?.state).toBe('running');
    await waitFor('the audio clock to advance', async () => ((await toneContext(page))?.time ?? 0) > (t0?.time ?? 0), 5_000);

    await waitFor('the banner to go once frames come back', async () => !(await alarm(page)).shown, 45_000, 200);
    expect((await alarm(page)).panelLost).toBe(false);
    await framesKeepRising(page);
  });

  it('raises it again when the caller browser goes away', async () => {
    const page = dispatcher.page;
    expect((await alarm(page)).shown).toBe(false);
    const before = (await tones(page)).length;
    await caller.page.goto('about:blank');
    await waitFor('the video-lost banner', async () => (await alarm(page)).shown, 15_000, 200);
    await waitFor('the alarm tones', async () => (await tones(page)).length >= before + 2, 5_000);
    await c.waitStatus('reconnecting');
  });
});

describe('blur new video by default', () => {
  it('blurs the video of sessions opened after the header box is ticked, and not after it is cleared', async () => {
    const page = dispatcher.page;
    await openConsole(page, server.url);
    await page.click('#blur-default');
    expect(await page.$eval('#blur-default', (el) => (el as HTMLInputElement).checked)).toBe(true);

    const { sessionId, inviteUrl } = await dispatcherCreatesSession(page, server.url);
    const blurred = card(page, sessionId);
    await callerStartsVideo(caller.page, inviteUrl);
    await blurred.waitStatus('live');
    await waitFor('video on the new card', async () => (await framesOf(page, sessionId)) > 10);
    expect(await videoFilter(page, blurred.sel('remote-video'))).toMatch(/^blur\(\d+px\)$/);
    expect(await page.$eval(blurred.sel('blur-toggle'), (el) => el.getAttribute('aria-pressed'))).toBe('true');
    // The dispatcher can still look on demand.
    await page.click(blurred.sel('blur-toggle'));
    expect(await videoFilter(page, blurred.sel('remote-video'))).toBe('none');

    await page.click('#blur-default');
    const next = await dispatcherCreatesSession(page, server.url);
    const sharp = card(page, next.sessionId);
    expect(await videoFilter(page, sharp.sel('remote-video'))).toBe('none');
    expect(await page.$eval(sharp.sel('blur-toggle'), (el) => el.getAttribute('aria-pressed'))).toBe('false');
  });
});
