import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CDPSession } from 'puppeteer-core';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { callerStartsVideo } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * The audible alarm under the browser's real autoplay policy (Chromium launched WITHOUT
 * --autoplay-policy=no-user-gesture-required): after a reload the console has had no user gesture, so
 * Web Audio stays suspended and the VIDEO LOST tones would be silent. The console must say so (an
 * "enable sound alerts" control) and unlock sound at the dispatcher's first gesture.
 *
 * Until the one deliberate gesture, the console page is read ONLY through the DevTools protocol's
 * Runtime.evaluate with `userGesture: false`: puppeteer's page.evaluate, $eval and waitForSelector
 * give the page user activation as a side effect, which would unlock audio and pass the test falsely.
 * The test checks `navigator.userActivation.hasBeenActive` itself to prove it gave none.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let cdp: CDPSession;
let sessionId: string;

/** Every oscillator the page starts, with the state of its context at that moment (a test-side probe). */
const TONE_WATCH = `(() => {
  window.__tones = [];
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.__tones.push({ freq: this.frequency.value, state: this.context.state });
    window.__toneContext = this.context;
    return start.apply(this, args);
  };
})();`;

/** Reads the console page without giving it user activation. */
async function quietly<T>(expression: string): Promise<T> {
  const r = await cdp.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true, userGesture: false });
  if (r.exceptionDetails) throw new Error(`page threw: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
  return r.result.value as T;
}

const control = () =>
  quietly<{ visible: boolean; state: string | null; text: string } | null>(`(() => {
    const b = document.querySelector('[data-testid="sound-alerts"]');
    return b && { visible: !b.hidden && b.getBoundingClientRect().width > 0, state: b.getAttribute('data-state'), text: b.textContent };
  })()`);
const activated = () => quietly<boolean>('navigator.userActivation.hasBeenActive');
const tones = () => quietly<{ freq: number; state: string }[]>('window.__tones.slice()');
const alarmShown = () => quietly<boolean>(`(() => { const a = document.querySelector('[data-testid="video-lost"]'); return Boolean(a && !a.hidden); })()`);
const frames = () =>
  quietly<number>(`(async () => {
    const report = await window.__sightlineStats?.();
    let n = 0;
    report?.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') n = Math.max(n, s.framesDecoded ?? 0); });
    return n;
  })()`);

/** Freezes the caller's whole browser (as when a phone hangs) until the console raises VIDEO LOST, then thaws it. */
async function freezeCallerUntilAlarm(): Promise<void> {
  const phone = -caller.browser.process()!.pid!;
  process.kill(phone, 'SIGSTOP');
  try {
    await waitFor('the video-lost banner', alarmShown, 20_000, 200);
  } finally {
    process.kill(phone, 'SIGCONT');
  }
}

beforeAll(async () => {
  server = await startServer();
  [dispatcher, caller] = await Promise.all([launchDevice({ autoplay: false }), launchDevice({ mobile: true })]);
  await dispatcher.page.evaluateOnNewDocument(TONE_WATCH);
  cdp = await dispatcher.page.createCDPSession();
  // A console the dispatcher reloads mid-shift: its token is in the tab, and the new page has had no gesture.
  const token = await login(server);
  const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567', incidentRef: 'INC-SOUND' } });
  expect(created.status).toBe(201);
  sessionId = created.body.id as string;
  await dispatcher.page.evaluateOnNewDocument((t: string) => sessionStorage.setItem('sightline.token', t), token);
  await dispatcher.page.goto(`${server.url}/console`);
  await callerStartsVideo(caller.page, created.body.inviteUrl as string);
  await waitFor('the caller video on the console', async () => (await frames()) > 10, 30_000, 200);
});

afterAll(async () => {
  await cdp?.detach().catch(() => undefined);
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

describe('the alarm under the autoplay policy, after a reload', () => {
  it('shows the enable-sound-alerts control while the browser holds sound back, and the alarm fires meanwhile', async () => {
    expect(await quietly<string | null>(`document.querySelector('[data-session-id="${sessionId}"]')?.getAttribute('data-session-id') ?? null`)).toBe(sessionId);
    expect(await activated()).toBe(false);

    // The alarm fires; the browser will not let it sound yet.
    await freezeCallerUntilAlarm();
    expect((await tones()).filter((t) => t.state === 'running')).toEqual([]);
    const shown = await waitFor(
      'the enable-sound-alerts control',
      async () => {
        const c = await control();
        return c?.visible ? c : undefined;
      },
      10_000,
      200,
    );
    expect(shown.state).toBe('blocked');
    expect(shown.text.toLowerCase()).toContain('enable sound alerts');
    expect(await activated()).toBe(false);
    await waitFor('the banner to go once frames come back', async () => !(await alarmShown()), 45_000, 200);
  });

  it('unlocks sound at the first gesture anywhere on the page, hides the control, and the next alarm sounds', async () => {
    // The dispatcher's first click of the shift, on nothing in particular (the header's name).
    const at = await quietly<{ x: number; y: number }>(`(() => {
      const r = document.querySelector('header.bar strong').getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    })()`);
    await dispatcher.page.mouse.click(at.x, at.y);
    expect(await activated()).toBe(true);

    const before = (await tones()).length;
    await freezeCallerUntilAlarm();
    const played = await waitFor(
      'the alarm tones',
      async () => {
        const t = await tones();
        return t.length >= before + 2 ? t.slice(before) : undefined;
      },
      5_000,
      100,
    );
    expect(played).toEqual([
      { freq: 880, state: 'running' },
      { freq: 660, state: 'running' },
    ]);
    expect(await control()).toMatchObject({ visible: false, state: 'on' });
    // Audio really runs: the context's clock advances.
    const t0 = await quietly<number>('window.__toneContext.currentTime');
    await waitFor('the audio clock to advance', async () => (await quietly<number>('window.__toneContext.currentTime')) > t0, 5_000, 100);
  });

  it('after another reload, shows the control again, and a click on it turns sound on', async () => {
    await dispatcher.page.reload();
    await waitFor('the caller video on the console', async () => (await frames()) > 10, 30_000, 200);
    const shown = await waitFor(
      'the enable-sound-alerts control',
      async () => {
        const c = await control();
        return c?.visible ? c : undefined;
      },
      10_000,
      200,
    );
    expect(shown.state).toBe('blocked');
    const at = await quietly<{ x: number; y: number }>(`(() => {
      const r = document.querySelector('[data-testid="sound-alerts"]').getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    })()`);
    await dispatcher.page.mouse.click(at.x, at.y);
    await waitFor('sound on', async () => (await control())?.state === 'on', 5_000, 100);
    expect((await control())?.visible).toBe(false);
  });

  it('turns sound on at a first key press too (a dispatcher who works from the keyboard)', async () => {
    await dispatcher.page.reload();
    await waitFor(
      'the console loaded',
      async () => (await quietly<boolean>(`Boolean(document.querySelector('[data-testid="session-card"]'))`)) === true,
      30_000,
      200,
    );
    expect(await activated()).toBe(false);
    expect(await control()).toMatchObject({ visible: true, state: 'blocked' });
    await dispatcher.page.keyboard.press('Tab');
    await waitFor('sound on', async () => (await control())?.state === 'on', 5_000, 100);
    expect((await control())?.visible).toBe(false);
  });
});
