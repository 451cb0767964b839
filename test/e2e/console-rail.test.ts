import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { dispatcherCreatesSession, openConsole, sel } from '../support/flow.js';
import { DEMO_PASSWORD, freePort, startServer, type TestServer } from '../support/server.js';
import { card, liveSession } from '../support/session.js';

/**
 * Issue #14 §1 "who needs me now" and §4 "ending a session": the console built around a session rail
 * (sorted by urgency, always in view), one focused session with the large picture, a fixed alarm
 * strip carrying alarms and caller messages from any session, keyboard shortcuts on the focused
 * session, a focus ring that can be seen, and an end that asks first and leaves a record for the
 * shift. Three sessions, at 1280×720 and on a 960-wide second screen.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let live: string;
let waiting: string;
let created: string;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  await dispatcher.page.setViewport({ width: 1280, height: 720 });
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

const row = (id: string) => `${sel('session-rail')} ${sel('session-row')}[data-session-id="${id}"]`;
const railOrder = (page: Page) => page.$$eval(`${sel('session-rail')} ${sel('session-row')}`, (els) => els.map((e) => e.getAttribute('data-session-id')));
const focusedCard = (page: Page) =>
  page.$eval(`${sel('session-card')}[data-focused="true"]`, (el) => el.getAttribute('data-session-id')).catch(() => undefined);
const box = (page: Page, selector: string) => page.$eval(selector, (el) => el.getBoundingClientRect().toJSON() as DOMRect);

/** The rail and each of its rows lie inside the viewport: seen without scrolling. */
async function railInView(page: Page, width: number, height: number): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const rail = await box(page, sel('session-rail'));
  expect(rail.left).toBeGreaterThanOrEqual(0);
  expect(rail.top).toBeGreaterThanOrEqual(0);
  for (const id of await railOrder(page)) {
    const r = await box(page, row(id!));
    expect(r.bottom, `row ${id}`).toBeLessThanOrEqual(height);
    expect(r.right, `row ${id}`).toBeLessThanOrEqual(width);
  }
  // The rail never covers the cards.
  const cards = await box(page, '#sessions');
  expect(rail.right).toBeLessThanOrEqual(cards.left);
}

/** WCAG relative luminance contrast of two `rgb()`/`rgba()` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c
      .match(/[\d.]+/g)!
      .slice(0, 3)
      .map((v) => {
        const s = Number(v) / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('the session rail at 1280×720', () => {
  it('lists three sessions in view by urgency, the one just created in focus and a waiting one without a video box', async () => {
    const page = dispatcher.page;
    ({ sessionId: live } = await liveSession(page, caller.page, server.url, { incident: 'INC-LIVE' }));
    ({ sessionId: waiting } = await dispatcherCreatesSession(page, server.url, { incident: 'INC-WAIT' }));
    ({ sessionId: created } = await dispatcherCreatesSession(page, server.url, { incident: 'INC-NEW' }));
    await card(page, created).waitStatus('sms_sent');
    await card(page, waiting).waitStatus('sms_sent');

    await waitFor('three rows by urgency', async () => JSON.stringify(await railOrder(page)) === JSON.stringify([live, waiting, created]));
    expect(await page.$eval(row(live), (el) => [el.getAttribute('data-state'), el.textContent])).toEqual(['live', expect.stringContaining('LIVE')]);
    expect(await page.$eval(row(created), (el) => el.getAttribute('data-state'))).toBe('sms_sent');
    await railInView(page, 1280, 720);

    // The dispatcher is acting on the session just created: it has the focus, first among the cards.
    expect(await focusedCard(page)).toBe(created);
    expect(await page.$eval(row(created), (el) => el.getAttribute('aria-current'))).toBe('true');
    const tops = await page.$$eval(sel('session-card'), (els) => els.map((e) => [e.getAttribute('data-session-id'), e.getBoundingClientRect().top] as const));
    expect(tops.sort((a, b) => a[1] - b[1])[0]![0]).toBe(created);
    // Waiting: the stepper and the spoken code, no empty video box.
    const c = card(page, created);
    expect(await page.$eval(`${c.scope} .video-panel`, (el) => el.getBoundingClientRect().height)).toBe(0);
    expect(await c.text('lifecycle-stepper')).toMatch(/^SMS ✓.*Opened …/);
    expect(await page.$(c.sel('spoken-code-button'))).not.toBeNull();
    // The compact live card keeps a small picture.
    const small = await box(page, card(page, live).sel('remote-video'));
    expect(small.height).toBeGreaterThan(0);
    expect(small.height).toBeLessThanOrEqual(150);

    // Time in the current state ticks.
    const before = await page.$eval(`${row(live)} .row-time`, (el) => el.textContent);
    await waitFor('the time in state ticking', async () => (await page.$eval(`${row(live)} .row-time`, (el) => el.textContent)) !== before, 5000);
  });

  it("carries a caller's message from a session not in focus on the strip; a click on it focuses that session", async () => {
    const page = dispatcher.page;
    await caller.page.type(sel('chat-input'), 'Han puster ikke');
    await caller.page.click(sel('chat-send'));
    const item = `${sel('alarm-strip')} li[data-session-id="${live}"][data-kind="caller-message"]`;
    const text = await waitFor('the message on the strip', () => page.$eval(item, (el) => el.textContent ?? '').catch(() => undefined));
    expect(text).toContain('Han puster ikke');
    expect(text).toContain('INC-LIVE');
    expect(await page.$eval(`${sel('alarm-strip')} [aria-live="assertive"]`, (el) => el.textContent)).toContain('Han puster ikke');
    expect(await page.$eval(`${row(live)} .row-unread`, (el) => el.textContent)).toMatch(/^✉ 1/);
    // Fixed at the top, whatever the scroll.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const strip = await box(page, sel('alarm-strip'));
    expect(strip.top).toBeGreaterThanOrEqual(0);
    expect(strip.bottom).toBeLessThan(720);
    expect(await focusedCard(page)).toBe(created);

    await page.click(`${item} .alarm-open`);
    await waitFor('the live session focused', async () => (await focusedCard(page)) === live);
    expect((await box(page, card(page, live).sel('remote-video'))).width).toBeGreaterThan(500);
    // Picked: its messages are read.
    await waitFor('off the strip', async () => (await page.$(item)) === null);
    expect(await page.$eval(`${row(live)} .row-unread`, (el) => (el as HTMLElement).hidden)).toBe(true);
  });

  it('acts on the focused session by keyboard shortcuts, never while typing, and walks to the next session', async () => {
    const page = dispatcher.page;
    const c = card(page, live);
    const blurred = () => page.$eval(c.sel('blur-toggle'), (el) => el.getAttribute('aria-pressed'));
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('b');
    await waitFor('blurred by B', async () => (await blurred()) === 'true');
    await page.focus(c.sel('chat-input'));
    await page.keyboard.type('b');
    expect(await blurred()).toBe('true');
    expect(await page.$eval(c.sel('chat-input'), (el) => (el as HTMLInputElement).value)).toBe('b');
    await page.$eval(c.sel('chat-input'), (el) => ((el as HTMLInputElement).value = ''));
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('b');
    await waitFor('unblurred by B', async () => (await blurred()) === 'false');
    // C: the chat field of the focused session, ready to type into.
    await page.keyboard.press('c');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('chat-input');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('n');
    await waitFor('the next session focused', async () => (await focusedCard(page)) === waiting);
    await page.keyboard.press('p');
    await waitFor('back to the live one', async () => (await focusedCard(page)) === live);
  });

  it('draws a focus ring of at least 3:1 against what is around it, and puts the cursor in the login and phone fields', async () => {
    const page = dispatcher.page;
    // Tab onto a rail row (keyboard focus: :focus-visible applies).
    for (let i = 0; i < 60 && !(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'session-row')); i++)
      await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      let bg = 'rgba(0, 0, 0, 0)';
      for (let p = el.parentElement; p && /rgba\(.*, 0\)|transparent/.test(bg); p = p.parentElement) bg = getComputedStyle(p).backgroundColor;
      return { testid: el.getAttribute('data-testid'), color: style.outlineColor, width: parseFloat(style.outlineWidth), style: style.outlineStyle, bg };
    });
    expect(ring.testid).toBe('session-row');
    expect(ring.style).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    expect(contrast(ring.color, ring.bg), `${ring.color} on ${ring.bg}`).toBeGreaterThanOrEqual(3);

    await openConsole(page, server.url);
    await waitFor('the phone field focused', () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'new-session-phone'));
    const context = await dispatcher.browser.createBrowserContext();
    try {
      const fresh = await context.newPage();
      await fresh.goto(`${server.url}/console`);
      await fresh.waitForSelector(sel('login-username'), { visible: true });
      expect(await fresh.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('login-username');
      await fresh.keyboard.type('dispatcher');
      await fresh.type(sel('login-password'), DEMO_PASSWORD);
      await fresh.keyboard.press('Enter');
      await waitFor('the phone field focused after login', () =>
        fresh.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'new-session-phone'),
      );
    } finally {
      await context.close();
    }
  });

  it('puts a session whose video is lost at the top of the rail, marked as an alarm', async () => {
    const page = dispatcher.page;
    await caller.browser.defaultBrowserContext().overridePermissions(server.url, ['geolocation', 'camera']);
    await caller.page.setGeolocation({ latitude: 59.91273, longitude: 10.74609, accuracy: 12 });
    await caller.page.click(sel('share-location'));
    await waitFor('location shown', async () => (await card(page, live).text('caller-location')).includes('59.91273, 10.74609'));
    // The dispatcher is on another session: the alarm must not take the focus from it.
    await page.click(row(waiting));
    await waitFor('the waiting session focused', async () => (await focusedCard(page)) === waiting);
    await caller.page.goto('about:blank');
    await card(page, live).waitStatus('reconnecting', 30_000);
    await waitFor('the alarm row first', async () => (await railOrder(page))[0] === live);
    expect(await page.$eval(row(live), (el) => [el.getAttribute('data-group'), el.textContent])).toEqual(['alarm', expect.stringContaining('⚠ ALARM')]);
    expect(await page.$eval(row(live), (el) => el.textContent)).toContain('VIDEO LOST');
    expect(await focusedCard(page)).toBe(waiting);
  });

  it('ends only after a confirmation (Escape backs out), disables the actions, and keeps the record for the shift', async () => {
    const page = dispatcher.page;
    const c = card(page, live);
    await page.click(c.sel('end-session-button'));
    await page.waitForSelector(c.sel('end-session-confirm'), { visible: true });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('end-session-confirm');
    await page.keyboard.press('Escape');
    await page.waitForSelector(c.sel('end-session-confirm'), { hidden: true });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('end-session-button');
    await new Promise((r) => setTimeout(r, 500));
    expect(await c.status()).toBe('reconnecting');

    await c.end();
    await c.waitStatus('ended');
    for (const testid of ['chat-send', 'chat-input', 'resend-sms', 'spoken-code-button', 'record-button', 'end-session-button']) {
      expect(await page.$eval(c.sel(testid), (el) => el.matches(':disabled')), testid).toBe(true);
    }
    const entry = `${sel('recently-ended')} li[data-session-id="${live}"]`;
    await waitFor('the ended record', async () => (await page.$(entry)) !== null);
    await waitFor('the reason from the server', async () => (await page.$eval(entry, (el) => el.getAttribute('data-reason'))) === 'ended by the dispatcher');
    const kept = await page.$eval(entry, (el) => el.textContent ?? '');
    expect(kept).toContain('Han puster ikke');
    expect(kept).toContain('59.91273, 10.74609');
    expect(kept).toContain('INC-LIVE');
    await waitFor('the ended row last', async () => (await railOrder(page)).at(-1) === live);
    expect(await page.$eval(row(live), (el) => el.getAttribute('data-state'))).toBe('ended');

    // A reload keeps the shift's record (sessionStorage); the card itself is gone.
    await openConsole(page, server.url);
    await page.waitForSelector(entry);
    expect(await page.$eval(entry, (el) => el.textContent)).toContain('Han puster ikke');
    expect(await page.$(c.scope)).toBeNull();
    await page.click(row(live));
    expect(await page.$eval(`${entry} details`, (el) => (el as HTMLDetailsElement).open)).toBe(true);
  });
});

describe('the session rail on a 960-wide second screen', () => {
  it('keeps the rail and the focused card in view beside each other', async () => {
    const page = dispatcher.page;
    await page.setViewport({ width: 960, height: 720 });
    await openConsole(page, server.url);
    await waitFor('three rows', async () => (await railOrder(page)).length === 3);
    expect(await railOrder(page)).toEqual([waiting, created, live]);
    await railInView(page, 960, 720);
    await page.click(row(created));
    await waitFor('focused', async () => (await focusedCard(page)) === created);
    await page.evaluate(() => window.scrollTo(0, 0));
    const focused = await box(page, card(page, created).scope);
    expect(focused.top).toBeLessThan(720);
    expect(focused.right).toBeLessThanOrEqual(960);
  });
});

describe('a warning before the spoken code runs out', () => {
  let short: TestServer;
  let desk: Device;

  beforeAll(async () => {
    const port = await freePort();
    // Codes last 2 min 3 s: the warning (2 min before) comes a few seconds after the code.
    short = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, SPOKEN_CODE_MINUTES: '2.05' });
    desk = await launchDevice();
    await desk.page.setViewport({ width: 1280, height: 720 });
  });

  afterAll(async () => {
    await desk?.close();
    await short?.stop();
  });

  it('says when the code expires and offers a new one, on the card and on the strip', async () => {
    const page = desk.page;
    const { sessionId } = await dispatcherCreatesSession(page, short.url, { incident: 'INC-EXPIRY' });
    const c = card(page, sessionId);
    await page.click(c.sel('spoken-code-button'));
    const first = await waitFor('spoken code', async () => (await c.text('spoken-code')).match(/^\d{6}$/)?.[0]);
    expect(await page.$eval(c.sel('expiry-warning'), (el) => (el as HTMLElement).hidden)).toBe(true);
    const warning = await waitFor(
      'the warning',
      () => page.$eval(c.sel('expiry-warning'), (el) => ((el as HTMLElement).hidden ? undefined : el.textContent)),
      20_000,
    );
    expect(warning).toMatch(/^Spoken code expires \d{2}:\d{2} — issue a new one\?/);
    const item = `${sel('alarm-strip')} li[data-session-id="${sessionId}"][data-kind="expiry"]`;
    expect(await page.$eval(item, (el) => el.textContent)).toContain('Spoken code expires');
    await page.click(c.sel('expiry-remedy'));
    await waitFor('a new code', async () => /^\d{6}$/.test(await c.text('spoken-code')) && (await c.text('spoken-code')) !== first);
  });
});

describe('a warning before the link runs out', () => {
  let short: TestServer;
  let desk: Device;

  beforeAll(async () => {
    const port = await freePort();
    // Invites last 2 min 3 s: the warning (2 min before) comes a few seconds after the link.
    short = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, INVITE_TTL_MINUTES: '2.05' });
    desk = await launchDevice();
    await desk.page.setViewport({ width: 1280, height: 720 });
  });

  afterAll(async () => {
    await desk?.close();
    await short?.stop();
  });

  it('says when the link expires and fills in a new session for the same caller', async () => {
    const page = desk.page;
    const { sessionId } = await dispatcherCreatesSession(page, short.url, { incident: 'INC-LINK' });
    const c = card(page, sessionId);
    const warning = await waitFor(
      'the warning',
      () => page.$eval(c.sel('expiry-warning'), (el) => ((el as HTMLElement).hidden ? undefined : el.textContent)),
      20_000,
    );
    expect(warning).toMatch(/^Link expires \d{2}:\d{2} — the session then ends unless the caller has tapped Start; send a new one\?/);
    expect(await page.$(`${sel('alarm-strip')} li[data-session-id="${sessionId}"][data-kind="expiry"]`)).not.toBeNull();
    await page.click(c.sel('expiry-remedy'));
    expect(await page.$eval(sel('new-session-incident'), (el) => (el as HTMLInputElement).value)).toBe('INC-LINK');
    expect(await page.$eval(sel('new-session-phone'), (el) => (el as HTMLInputElement).value)).not.toBe('');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('new-session-submit');
  });
});
