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
import { guideSteps, sel, typeSpokenCode } from '../support/flow.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus } from '../support/session.js';

/**
 * Issue #10 kind 12: the caller reads only their own language. The state is `data-state` of
 * `caller-status` (CONTRACT.md); what the caller sees is the state's words from the language's own
 * table, never an internal state name ("live — Direkte: …"), a raw exception ("Can't find variable:
 * RTCPeerConnection") or the server's English (the 429 body). Each state is walked through all ten
 * languages with the page's own switcher, and every visible text (and accessible name) on the page
 * must come from that language's table. Words that two languages share are fine: the check is
 * against the language's own table, not against the others'.
 */
const TEXTS: Record<string, CallerText> = { nb, nn, sv, da, fi, en, ar, pl, so, uk };
const STATE_NAMES = ['loading', 'ready', 'connecting', 'live', 'reconnecting', 'paused', 'ended', 'expired', 'error', 'camera_denied', 'unsupported'];

let server: TestServer;
let caller: Device;
let staff: string;
/** A re-render that throws halfway leaves the previous language on screen: none may. */
const pageErrors: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, RECORDING_POLICY: 'on-demand' });
  caller = await launchDevice({ mobile: true });
  caller.page.on('pageerror', (e) => pageErrors.push(String(e)));
  staff = await login(server);
});

afterAll(async () => {
  await caller?.close();
  await server?.stop();
});

/** Every string of a language's table (nested groups flattened). */
function wordsOf(t: unknown): string[] {
  if (typeof t === 'string') return [t];
  return Object.values(t as Record<string, unknown>).flatMap(wordsOf);
}

/** The page's visible texts and accessible names, minus the language switcher (each language's name in itself). */
function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const el = n.parentElement;
      if (!text || !el || el.closest('select, script, style') || !el.checkVisibility()) continue;
      out.push(text);
    }
    document.querySelectorAll('[aria-label]').forEach((el) => el.checkVisibility() && out.push(el.getAttribute('aria-label')!));
    return out;
  });
}

async function statusShown(page: Page): Promise<{ state: string; text: string; reason: string | null; lang: string }> {
  return page.$eval(sel('caller-status'), (el) => ({
    state: el.getAttribute('data-state') ?? '',
    text: el.textContent ?? '',
    reason: el.getAttribute('data-reason'),
    lang: document.documentElement.lang,
  }));
}

/**
 * Chooses each language in turn and checks the page speaks it and only it: the status line holds
 * `words(text)` (no state name), `more` holds for the rest, and every visible text is the language's own.
 */
async function inEveryLanguage(
  page: Page,
  state: string | string[],
  words: (t: CallerText) => string,
  more?: (t: CallerText, lang: string) => Promise<void>,
): Promise<void> {
  const states = Array.isArray(state) ? state : [state];
  for (const [lang, text] of Object.entries(TEXTS)) {
    await page.select(sel('language-select'), lang);
    let last: Awaited<ReturnType<typeof statusShown>> | undefined;
    const shown = await waitFor(
      `${states.join('|')} in ${lang}`,
      async () => {
        const s = (last = await statusShown(page));
        return s.lang === lang && states.includes(s.state) && s.text === words(text) ? s : undefined;
      },
      10_000,
      50,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the page shows ${JSON.stringify(last)}, want "${words(text)}"`);
    });
    for (const name of STATE_NAMES) expect(shown.text.startsWith(name), `${lang}: status "${shown.text}" starts with the state name ${name}`).toBe(false);
    // The centre's name is the server's configuration (CENTRE_NAME, default "AMK"), not a word of any language.
    const own = new Set([...wordsOf(text), '➤', `● REC — ${text.recording.always}`, 'AMK']);
    const foreign = (await visibleTexts(page)).filter((t) => !own.has(t));
    expect(foreign, `${lang}: texts not from its own table`).toEqual([]);
    await more?.(text, lang);
  }
}

async function newSession(language = 'nb'): Promise<{ id: string; inviteUrl: string }> {
  const r = await http('POST', `${server.url}/api/sessions`, { token: staff, body: { phone: '+4791234567', language } });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, inviteUrl: r.body.inviteUrl as string };
}

async function openAndTap(page: Page, inviteUrl: string): Promise<void> {
  await page.goto(inviteUrl);
  await page.waitForSelector(`${sel('start-video')}:not([disabled])`);
  await page.click(sel('start-video'));
}

/** A fresh tab in the caller's browser, prepared before the page's own scripts run. */
async function freshTab(prepare?: (page: Page) => Promise<unknown>): Promise<Page> {
  const page = await caller.browser.newPage();
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await prepare?.(page);
  return page;
}

describe('the caller sees only their own language', () => {
  let session: { id: string; inviteUrl: string };
  let dispatcher: Socket;

  afterAll(() => void dispatcher?.disconnect());

  it('ready: the consent screen in every language, without the state name', async () => {
    session = await newSession();
    await caller.page.goto(session.inviteUrl);
    await waitFor('ready', async () => (await callerStatus(caller.page)) === 'ready');
    await inEveryLanguage(caller.page, 'ready', (t) => t.status.ready);
  });

  it('live, with a preset chat message and a refused location: each in the language of the moment', async () => {
    await caller.page.select(sel('language-select'), 'nb');
    await caller.page.click(sel('start-video'));
    await waitFor('caller live', async () => (await callerStatus(caller.page)) === 'live', 20_000);

    dispatcher = io(server.url, { auth: { token: staff }, transports: ['websocket'] });
    expect((await dispatcher.emitWithAck('session:join', { sessionId: session.id })).ok).toBe(true);
    const sent = await dispatcher.emitWithAck('chat:send', { sessionId: session.id, text: 'Hold the phone steady.', presetId: 'hold_steady' });
    expect(sent.ok).toBe(true);
    await waitFor('the preset on the caller page', async () => (await caller.page.$$(`${sel('chat-log')} li`)).length === 1);

    // No permission for the position: the browser's own message ("User denied Geolocation") must not show.
    await caller.browser.defaultBrowserContext().overridePermissions(server.url, []);
    await caller.page.click(sel('share-location'));
    await waitFor('the location note', () => caller.page.$eval('#extras-note', (el, want) => el.textContent === want, nb.trouble.location), 30_000);

    await inEveryLanguage(
      caller.page,
      'live',
      (t) => t.status.live,
      async (t, lang) => {
        expect(await caller.page.$eval(`${sel('chat-log')} li .chat-text`, (el) => el.textContent), lang).toBe(t.presets.hold_steady);
        expect(await caller.page.$eval(`${sel('chat-log')} li .chat-from`, (el) => el.textContent), lang).toBe(t.from.dispatcher);
        expect(await caller.page.$eval('#extras-note', (el) => el.textContent), lang).toBe(t.trouble.location);
        expect(await caller.page.$eval(sel('chat-send'), (el) => el.getAttribute('aria-label')), lang).toBe(t.send);
      },
    );
  });

  it('paused, ended (also after a reload), and a link used elsewhere (expired)', async () => {
    await caller.page.click(sel('pause-video'));
    await inEveryLanguage(
      caller.page,
      'paused',
      (t) => t.status.paused,
      async (t) => {
        expect(await caller.page.$eval(sel('pause-video'), (el) => el.textContent)).toBe(t.resume);
      },
    );
    expect((await http('POST', `${server.url}/api/sessions/${session.id}/end`, { token: staff })).status).toBe(200);
    await inEveryLanguage(caller.page, 'ended', (t) => t.status.ended);
    // Reloaded after the end: still over, said as such.
    await caller.page.goto(session.inviteUrl);
    await inEveryLanguage(caller.page, 'ended', (t) => t.status.ended);
    // A link already used elsewhere (another browser spent it): it no longer works.
    const spent = await newSession();
    expect((await http('POST', `${server.url}/api/invites/${spent.inviteUrl.split('/').pop()}/redeem`)).status).toBe(200);
    await caller.page.goto(spent.inviteUrl);
    await inEveryLanguage(caller.page, 'expired', (t) => t.status.expired);
    expect(pageErrors).toEqual([]);
  });
});

describe('what went wrong, in plain words', () => {
  it("a server failure at the tap: plain words that something went wrong, not the server's message", async () => {
    const page = await freshTab(async (p) => {
      await p.setRequestInterception(true);
      // The server fails every request of the tap's path: the opening report (so no pre-tap socket) and the redemption.
      p.on('request', (r) =>
        /\/(opened|redeem)$/.test(r.url())
          ? void r.respond({
              status: 500,
              contentType: 'application/json',
              body: JSON.stringify({ error: { code: 'internal', message: 'Internal Server Error: store unavailable' } }),
            })
          : void r.continue(),
      );
    });
    try {
      await openAndTap(page, (await newSession('pl')).inviteUrl);
      await inEveryLanguage(page, 'error', (t) => t.status.error);
      expect((await statusShown(page)).reason).toBe('http_500_internal');
    } finally {
      await page.close();
    }
  });

  it('no answer at all at the tap: plain words that there is no connection', async () => {
    const page = await freshTab(async (p) => {
      await p.setRequestInterception(true);
      // No request of the tap's path gets through: the opening report (so no pre-tap socket) and the redemption.
      p.on('request', (r) => (/\/(opened|redeem)$/.test(r.url()) ? void r.abort('internetdisconnected') : void r.continue()));
    });
    try {
      await openAndTap(page, (await newSession('uk')).inviteUrl);
      await inEveryLanguage(page, 'error', (t) => t.trouble.offline);
      expect((await statusShown(page)).reason).toBe('offline');
    } finally {
      await page.close();
    }
  });

  it('a blocked camera: its state in words, and the help', async () => {
    const page = await freshTab((p) =>
      p.evaluateOnNewDocument(() => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      }),
    );
    try {
      await openAndTap(page, (await newSession('ar')).inviteUrl);
      await inEveryLanguage(
        page,
        'camera_denied',
        (t) => t.status.camera_denied,
        async (t) => {
          expect(await guideSteps(page)).toEqual(t.guide.other);
        },
      );
    } finally {
      await page.close();
    }
  });

  it('a browser without RTCPeerConnection: no raw exception on the screen', async () => {
    const page = await freshTab((p) =>
      p.evaluateOnNewDocument(() => {
        delete (window as { RTCPeerConnection?: unknown }).RTCPeerConnection;
        delete (window as { webkitRTCPeerConnection?: unknown }).webkitRTCPeerConnection;
      }),
    );
    try {
      // Said at load: the page knows it cannot stream and offers no Start (test/e2e/unsupported-browser.test.ts).
      await page.goto((await newSession('sv')).inviteUrl);
      await waitFor('the failure shown', async () => ['error', 'unsupported'].includes(await callerStatus(page)), 20_000);
      const state = await callerStatus(page);
      const words = (t: CallerText) => (t.status as Record<string, string>)[state] ?? t.status.error;
      await inEveryLanguage(page, state, words);
      expect((await visibleTexts(page)).join(' ')).not.toMatch(/RTCPeerConnection|variable|undefined|not defined/i);
    } finally {
      await page.close();
    }
  });

  it("/c: a wrong code, then the rate limit, in the caller's words (not the server's English)", async () => {
    const page = await freshTab();
    try {
      await page.goto(`${server.url}/c`);
      await page.waitForSelector(`${sel('code-submit')}:not([disabled])`);
      const tryCode = async (code: string) => {
        await page.waitForSelector(`${sel('code-submit')}:not([disabled])`);
        await typeSpokenCode(page, code);
      };
      await tryCode('100000');
      await waitFor('the wrong code said', async () => (await statusShown(page)).reason === 'code_wrong');
      await inEveryLanguage(page, 'error', (t) => t.codeWrong);
      // Five wrong codes from one address, then the server answers 429 with an English message.
      for (let i = 1; (await statusShown(page)).reason !== 'rate_limited'; i++) {
        expect(i, 'the rate limit never came').toBeLessThan(10);
        await tryCode(String(100000 + i));
        await waitFor('an answer', async () => !(await page.$eval(sel('code-submit'), (el) => (el as HTMLButtonElement).disabled)));
      }
      await inEveryLanguage(page, 'error', (t) => t.trouble.tooManyTries);
    } finally {
      await page.close();
    }
  });
});

describe('the viewer page', () => {
  it('shows its state in words (bokmål for a Norwegian session), never the state name: ready, live, ended', async () => {
    const session = await newSession('nb');
    const viewerUrl = (await http('POST', `${server.url}/api/sessions/${session.id}/viewers`, { token: staff, body: { label: 'ambulance' } })).body
      .inviteUrl as string;
    const viewer = await launchDevice();
    try {
      await viewer.page.goto(viewerUrl);
      await viewer.page.waitForSelector(`main.viewer ${sel('start-video')}`);
      const ready = await statusShown(viewer.page);
      expect(ready).toMatchObject({ state: 'ready', text: 'Klar', lang: 'nb' });
      await viewer.page.click(`main.viewer ${sel('start-video')}`);
      await waitFor('viewer connecting or live', async () => ['connecting', 'live'].includes((await statusShown(viewer.page)).state));
      await openAndTap(caller.page, session.inviteUrl);
      await waitFor('viewer live', async () => (await statusShown(viewer.page)).state === 'live', 20_000);
      expect((await statusShown(viewer.page)).text).toBe('Direkte');
      expect((await http('POST', `${server.url}/api/sessions/${session.id}/end`, { token: staff })).status).toBe(200);
      await waitFor('viewer ended', async () => (await statusShown(viewer.page)).state === 'ended');
      const ended = await statusShown(viewer.page);
      for (const name of STATE_NAMES) expect(ended.text.startsWith(name)).toBe(false);
      expect(ended.text).toBe('Videoen er avsluttet.');
    } finally {
      await viewer.close();
    }
  });
});
