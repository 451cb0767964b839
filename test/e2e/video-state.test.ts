import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { callerStartsVideo, dispatcherCreatesSession, openConsole, sel, viewerWatches } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card } from '../support/session.js';

/**
 * Issue #14, part 2: one video state per screen, told truthfully on the console (1280×720) and on a
 * viewer's phone (390 px): connecting → live only once frames decode here; a caller's pause is
 * `paused` with no alarm and no tones; a caller gone is `lost` with the alarm; media figures blank
 * while not live; `ended`. And a screen that never decodes a frame alarms, though the server says live.
 */
let server: TestServer;
let staff: string;
let dispatcher: Device;
let caller: Device;
let viewer: Device;
let sessionId: string;
let c: ReturnType<typeof card>;

/**
 * Notes, in the page, every value the page's `video-state` element takes (`state` or `state:alarm`,
 * repeats dropped), and every tone the page starts: what happened between two looks is not lost.
 */
const WATCH = `(() => {
  window.__videoStates = [];
  window.__tones = [];
  const note = (el) => {
    const v = el.dataset.state + (el.dataset.alarm ? ':' + el.dataset.alarm : '');
    if (window.__videoStates.at(-1) !== v) window.__videoStates.push(v);
  };
  const isState = (n) => n.dataset && n.dataset.testid === 'video-state';
  new MutationObserver((ms) => {
    for (const m of ms) {
      if (m.type === 'attributes' && isState(m.target)) note(m.target);
      for (const n of m.addedNodes) if (n.querySelectorAll) [n, ...n.querySelectorAll('[data-testid="video-state"]')].filter(isState).forEach(note);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-alarm'] });
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.__tones.push(this.frequency.value);
    return start.apply(this, args);
  };
})();`;

/** Makes every remote ICE candidate point at the discard port: this page's media never arrives (a real outage of its own). */
const NO_MEDIA = `(() => {
  const set = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (desc, ...rest) {
    if (desc && desc.sdp) desc = { type: desc.type, sdp: desc.sdp.replace(/^(a=candidate:\\S+ \\d+ \\S+ \\d+ \\S+ )\\d+/gm, (_, head) => head + '9') };
    return set.call(this, desc, ...rest);
  };
})();`;

type Win = { __videoStates: string[]; __tones: number[] };
const history = (page: Page) => page.evaluate(() => (window as unknown as Win).__videoStates.slice());
const tones = (page: Page) => page.evaluate(() => (window as unknown as Win).__tones.length);

/** What one screen shows of the video: the state element around `remote-video`, its badge and alarm banner. */
async function shown(page: Page, scope = '') {
  return page.$eval(`${scope} ${sel('remote-video')}`, (video) => {
    const box = video.closest('[data-testid="video-state"]') as HTMLElement | null;
    const banner = box?.querySelector('[data-testid="video-lost"]') as HTMLElement | null;
    return {
      state: box?.dataset['state'],
      alarm: box?.dataset['alarm'] || undefined,
      label: box?.querySelector('[data-testid="video-state-label"]')?.textContent ?? '',
      banner: Boolean(banner && !banner.hidden && banner.getBoundingClientRect().height > 0),
    };
  });
}

const waitState = (page: Page, state: string, scope = '', timeoutMs = 20_000) =>
  waitFor(`video state ${state}`, async () => (await shown(page, scope)).state === state, timeoutMs, 100);

const figures = () => c.text('media-stats');
const NUMBERS = /^\d+ kbit\/s · \d+×\d+ · \d+ fps · loss [\d.]+%( · RTT \d+ ms)?$/;
const BLANK = '— kbit/s · —×— · — fps · loss —';

beforeAll(async () => {
  server = await startServer();
  staff = await login(server);
  [dispatcher, caller, viewer] = await Promise.all([launchDevice(), launchDevice({ mobile: true }), launchDevice({ mobile: true })]);
  await dispatcher.page.setViewport({ width: 1280, height: 720 });
  await Promise.all([dispatcher.page.evaluateOnNewDocument(WATCH), viewer.page.evaluateOnNewDocument(WATCH)]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close(), viewer?.close()]);
  await server?.stop();
});

describe('one video state per screen, console at 1280×720 and a viewer on a phone', () => {
  it('connecting (waiting, then a timer) → live only once frames decode on each screen, in words and icon', async () => {
    let inviteUrl: string;
    ({ sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-STATE' }));
    c = card(dispatcher.page, sessionId);
    expect(await shown(dispatcher.page, c.scope)).toMatchObject({ state: 'connecting', banner: false, label: expect.stringContaining('Waiting for video') });
    const viewerUrl = String((await http('POST', `${server.url}/api/sessions/${sessionId}/viewers`, { token: staff, body: {} })).body.inviteUrl);
    await viewerWatches(viewer.page, viewerUrl);
    await waitState(viewer.page, 'connecting');

    await callerStartsVideo(caller.page, inviteUrl);
    await waitFor('caller live', async () => (await callerStatus(caller.page)).startsWith('live'));
    await Promise.all([waitState(dispatcher.page, 'live', c.scope), waitState(viewer.page, 'live')]);
    const onConsole = await shown(dispatcher.page, c.scope);
    expect(onConsole).toMatchObject({ state: 'live', banner: false });
    expect(onConsole.label).toMatch(/^\S+ ?Live/);
    // The session is Norwegian: the viewer's words are bokmål; the status line follows the video state.
    expect((await shown(viewer.page)).label).toMatch(/^\S+ ?Direkte/);
    expect(await callerStatus(viewer.page)).toBe('live');
    for (const page of [dispatcher.page, viewer.page]) expect(await history(page)).toEqual(['connecting', 'live']);
    await waitFor('live figures', async () => NUMBERS.test(await figures()));
  });

  it('caller pause → paused on both screens, dimmed, figures blanked, no alarm and no tones; resume → live', async () => {
    const tonesBefore = await Promise.all([tones(dispatcher.page), tones(viewer.page)]);
    await caller.page.click(sel('pause-video'));
    await Promise.all([waitState(dispatcher.page, 'paused', c.scope), waitState(viewer.page, 'paused')]);
    expect((await shown(dispatcher.page, c.scope)).label).toMatch(/Paused by caller \d+:\d\d$/);
    expect(await callerStatus(viewer.page)).toBe('paused');
    const opacity = await dispatcher.page.$eval(c.sel('remote-video'), (v) => Number(getComputedStyle(v).opacity));
    expect(opacity).toBeLessThan(1);
    await waitFor('the figures blanked', async () => (await figures()) === BLANK, 3_000);
    // Longer than the stall bound (3 s) and the no-frame bound (5 s): a frozen or black picture on purpose is no alarm.
    await new Promise((r) => setTimeout(r, 7_000));
    for (const page of [dispatcher.page, viewer.page]) {
      const s = await shown(page, page === dispatcher.page ? c.scope : '');
      expect(s).toMatchObject({ state: 'paused', banner: false });
      expect(s.alarm).toBeUndefined();
    }
    expect(await Promise.all([tones(dispatcher.page), tones(viewer.page)])).toEqual(tonesBefore);

    await caller.page.click(sel('pause-video'));
    await Promise.all([waitState(dispatcher.page, 'live', c.scope), waitState(viewer.page, 'live')]);
    await waitFor('live figures again', async () => NUMBERS.test(await figures()), 5_000);
    for (const page of [dispatcher.page, viewer.page]) expect(await history(page)).toEqual(['connecting', 'live', 'paused', 'live']);
    expect(await Promise.all([tones(dispatcher.page), tones(viewer.page)])).toEqual(tonesBefore);
  });

  it('caller gone → lost with the alarm banner and tones on both screens, figures blanked', async () => {
    const tonesBefore = await Promise.all([tones(dispatcher.page), tones(viewer.page)]);
    await caller.page.goto('about:blank');
    await Promise.all([waitState(dispatcher.page, 'lost', c.scope), waitState(viewer.page, 'lost')]);
    for (const page of [dispatcher.page, viewer.page]) {
      const s = await shown(page, page === dispatcher.page ? c.scope : '');
      expect(s.banner, 'the alarm banner').toBe(true);
      expect(s.label).toMatch(/(Video lost|Video borte) \d+:\d\d$/);
    }
    await waitFor('the alarm tones on both', async () => {
      const now = await Promise.all([tones(dispatcher.page), tones(viewer.page)]);
      return now[0]! >= tonesBefore[0]! + 2 && now[1]! >= tonesBefore[1]! + 2;
    });
    expect(await figures()).toBe(BLANK);
    expect(await callerStatus(viewer.page)).toBe('reconnecting');
  });

  it('ended on both screens, the alarm gone', async () => {
    expect((await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token: staff })).status).toBe(200);
    await Promise.all([waitState(dispatcher.page, 'ended', c.scope), waitState(viewer.page, 'ended')]);
    for (const page of [dispatcher.page, viewer.page]) {
      const s = await shown(page, page === dispatcher.page ? c.scope : '');
      expect(s).toMatchObject({ state: 'ended', banner: false });
    }
    expect(await callerStatus(viewer.page)).toBe('ended');
  });
});

describe('a screen that never decodes a frame', () => {
  it('alarms (no-frame) within the bound while the server says live: a viewer on a phone and a console', async () => {
    const created = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-NOFRAME' });
    const fresh = await launchDevice({ mobile: true });
    const console2 = await launchDevice();
    caller.page = await caller.browser.newPage();
    try {
      await console2.page.setViewport({ width: 1280, height: 720 });
      for (const d of [fresh, console2]) {
        await d.page.evaluateOnNewDocument(WATCH);
        await d.page.evaluateOnNewDocument(NO_MEDIA);
      }
      await caller.page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
      await callerStartsVideo(caller.page, created.inviteUrl);
      const live = card(dispatcher.page, created.sessionId);
      await live.waitStatus('live');
      await waitState(dispatcher.page, 'live', live.scope);

      const url = String((await http('POST', `${server.url}/api/sessions/${created.sessionId}/viewers`, { token: staff, body: {} })).body.inviteUrl);
      await viewerWatches(fresh.page, url);
      await openConsole(console2.page, server.url);
      const other = card(console2.page, created.sessionId);
      const t0 = Date.now();
      await Promise.all([
        waitFor('the viewer alarm', async () => (await shown(fresh.page)).alarm === 'no-frame', 15_000, 100),
        waitFor('the console alarm', async () => (await shown(console2.page, other.scope)).alarm === 'no-frame', 15_000, 100),
      ]);
      console.log(`[issue 14 part 2] no-frame alarm on both screens ${((Date.now() - t0) / 1000).toFixed(1)} s after they opened (bound 5 s)`);
      for (const [page, scope] of [
        [fresh.page, ''],
        [console2.page, other.scope],
      ] as const) {
        const s = await shown(page, scope);
        expect(s).toMatchObject({ state: 'connecting', banner: true });
        expect(s.label).toMatch(/\d+:\d\d$/);
        expect(await history(page)).not.toContain('live');
        await waitFor('the alarm tones', async () => (await tones(page)) >= 2, 5_000);
      }
      // The session itself is live and the first console decodes it: the alarm is this screen's own.
      expect(await live.status()).toBe('live');
      expect((await shown(dispatcher.page, live.scope)).state).toBe('live');
    } finally {
      await Promise.all([fresh.close(), console2.close()]);
    }
  });
});
