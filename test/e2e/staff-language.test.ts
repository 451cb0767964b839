import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeSerious } from '../support/axe.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { openAuditSession } from '../support/audit.js';
import { sel } from '../support/flow.js';
import { DEMO_PASSWORD, startServer, type TestServer } from '../support/server.js';

/**
 * Issue #16 §4: the console and /audit in the staff's language. The server says LOCALE=nb and runs
 * in New York's time zone (TZ), so the centre's clock differs from UTC and from this test's zone.
 */
const CENTRE_ZONE = 'America/New_York';
let server: TestServer;
let desk: Device;
let sessionId = '';

beforeAll(async () => {
  server = await startServer({ LOCALE: 'nb', TZ: CENTRE_ZONE });
  desk = await launchDevice();
});
afterAll(async () => {
  await desk?.close();
  await server?.stop();
});

const lang = (page: Page) => page.evaluate(() => document.documentElement.lang);
const text = (page: Page, selector: string) => page.$eval(selector, (el) => (el.textContent ?? '').trim());

async function logIn(page: Page, path: string, username: string, ready: string): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.waitForSelector(sel('login-username'), { visible: true });
  await page.type(sel('login-username'), username);
  await page.type(sel('login-password'), DEMO_PASSWORD);
  await page.click(sel('login-submit'));
  await page.waitForSelector(sel(ready), { visible: true });
}

describe('staff pages in the staff language (LOCALE=nb, TZ=America/New_York)', () => {
  it('comes up in Norwegian on the console, login form included, and axe finds nothing serious', async () => {
    const { page } = desk;
    await page.goto(`${server.url}/console`);
    await page.waitForSelector(sel('login-username'), { visible: true });
    expect(await lang(page)).toBe('nb');
    expect(await text(page, '#login h1')).toBe('Innlogging for operatør');
    expect(await text(page, sel('login-submit'))).toBe('Logg inn');
    await logIn(page, '/console', 'dispatcher', 'new-session-phone');
    expect(await text(page, '#new-session h2')).toBe('Ny videosamtale');
    expect(await text(page, sel('new-session-submit'))).toBe('Send videolenke');
    expect(await page.$eval(sel('staff-language'), (el) => (el as HTMLSelectElement).value)).toBe('nb');
    expect(await axeSerious(page)).toEqual([]);
  });

  it('shows a time of the console in the centre time zone, with the UTC instant in its title', async () => {
    const { page } = desk;
    await page.type(sel('new-session-phone'), '+4791234567');
    await page.click(sel('new-session-submit'));
    const time = await waitFor('a timeline time', () =>
      page.$eval(`${sel('session-card')} .timeline time`, (el) => ({ text: el.textContent, title: el.getAttribute('title') })).catch(() => undefined),
    );
    sessionId = (await page.$eval(sel('session-card'), (el) => el.getAttribute('data-session-id'))) ?? '';
    expect(time.title).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const at = new Date(time.title!);
    const clock = (timeZone: string) =>
      new Intl.DateTimeFormat('nb', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone }).format(at);
    expect(time.text).toBe(clock(CENTRE_ZONE));
    expect(time.text).not.toBe(clock('UTC'));
    // The card speaks Norwegian too: its buttons, the rail's chip word.
    expect(await text(page, `${sel('session-card')} ${sel('end-session-button')}`)).toBe('Avslutt videosamtale');
    expect(await text(page, `${sel('session-card')} ${sel('record-button')}`)).toMatch(/^(Ta opp|Opptak \(alltid\))$/);
    expect(await text(page, `${sel('session-row')} .chip`)).toMatch(/(FORBEREDER|SMS SENDT|SMS LEVERT)$/);
    // The card's status in words beside its log name, which `session-status` keeps (CONTRACT.md).
    expect(await text(page, `${sel('session-card')} .status-word`)).toMatch(/^(FORBEREDER|SMS SENDT|SMS LEVERT)$/);
    expect(await text(page, `${sel('session-card')} ${sel('session-status')}`)).toMatch(/^(created|sms_sent|sms_delivered)$/);
    expect(await axeSerious(page)).toEqual([]);
  });

  it("keeps the session's API answer in UTC while the page shows the centre's clock", async () => {
    const token = await desk.page.evaluate(() => sessionStorage.getItem('sightline.token'));
    const res = await fetch(`${server.url}/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${token}` } });
    const detail = (await res.json()) as { createdAt: string; events: { at: string }[] };
    for (const at of [detail.createdAt, ...detail.events.map((e) => e.at)]) expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('remembers English for the user who chose it, over a reload; another user still gets Norwegian', async () => {
    const { page } = desk;
    // A session is open on this console: the choice is kept, but the page does not reload under it
    // (a reload drops drafts and sets the caller's video up again); it says when the language changes.
    await page.evaluate(() => ((window as unknown as { sameLoad: boolean }).sameLoad = true));
    await page.type(sel('new-session-phone'), '912');
    await page.select(sel('staff-language'), 'en');
    await waitFor('the note on the language', async () => (await text(page, sel('staff-language-note'))) !== '');
    expect(await text(page, sel('staff-language-note'))).toBe('The page changes language at its next reload; sessions are open now.');
    expect(await page.evaluate(() => (window as unknown as { sameLoad?: boolean }).sameLoad), 'no reload').toBe(true);
    expect(await page.$eval(sel('new-session-phone'), (el) => (el as HTMLInputElement).value), 'the draft kept').toBe('912');
    await page.reload();
    await page.waitForSelector(sel('new-session-phone'), { visible: true });
    expect(await lang(page)).toBe('en');
    expect(await text(page, sel('new-session-submit'))).toBe('Send video link');

    // The supervisor, in the same browser, has chosen nothing: LOCALE's Norwegian.
    await logIn(page, '/audit', 'supervisor', 'search-submit');
    expect(await lang(page)).toBe('nb');
    expect(await text(page, sel('search-submit'))).toBe('Søk');
    expect(await text(page, sel('search-preset'))).toBe('Siste time');
    // The session's log on /audit: its times on the centre's clock, each with its UTC instant as title.
    expect(await openAuditSession(page, sessionId)).toBe('intact');
    const event = await page.$eval(`${sel('timeline-event')} time`, (el) => ({ text: el.textContent, title: el.getAttribute('title') }));
    const clock = new Intl.DateTimeFormat('nb', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone: CENTRE_ZONE });
    expect(event.text).toBe(clock.format(new Date(event.title!)));
    expect(await page.$$eval('#detail h3', (els) => els.map((e) => e.textContent))).toContain('Chatutskrift');
    expect(await axeSerious(page)).toEqual([]);

    // And the dispatcher's console is still in English.
    await page.goto(`${server.url}/console`);
    await page.waitForSelector(sel('new-session-phone'), { visible: true });
    expect(await lang(page)).toBe('en');
  });
});
