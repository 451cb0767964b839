import type { Page } from 'puppeteer-core';
import { DEMO_PASSWORD } from './server.js';
import { waitFor } from './browser.js';

export const sel = (testid: string) => `[data-testid="${testid}"]`;

/** The dispatcher's part through the console UI: log in, create a session, read the invite link. */
export async function dispatcherCreatesSession(
  page: Page,
  baseUrl: string,
  opts: { phone?: string; incident?: string; language?: string } = {},
): Promise<{ sessionId: string; inviteUrl: string }> {
  await openConsole(page, baseUrl);
  await page.type(sel('new-session-phone'), opts.phone ?? '+4791234567');
  if (opts.incident) await page.type(sel('new-session-incident'), opts.incident);
  // The form's own "Language" field (the caller's language); left alone, the session speaks bokmål.
  if (opts.language) await page.select('#new-session select[name="language"]', opts.language);
  const before = await page.$$eval(sel('session-card'), (els) => els.map((e) => e.getAttribute('data-session-id')));
  await page.click(sel('new-session-submit'));
  const sessionId = await waitFor('a new session card', () =>
    page.$$eval(
      sel('session-card'),
      (els, known) => els.map((e) => e.getAttribute('data-session-id')).find((id) => id && !known.includes(id)) ?? undefined,
      before,
    ),
  );
  const card = `${sel('session-card')}[data-session-id="${sessionId}"]`;
  const inviteUrl = await waitFor('the invite link', () => page.$eval(`${card} ${sel('invite-url')}`, (el) => el.textContent?.trim()));
  // Its details loaded and its channel joined: a click sent before that may find the card still filling in.
  await page.waitForSelector(`${card}[data-attached="true"]`);
  return { sessionId, inviteUrl };
}

/** Opens the console, logging in unless this tab already holds a token. */
export async function openConsole(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  const which = await Promise.race([
    page.waitForSelector(sel('new-session-phone'), { visible: true }).then(() => 'app'),
    page.waitForSelector(sel('login-username'), { visible: true }).then(() => 'login'),
  ]);
  if (which === 'login') {
    await page.type(sel('login-username'), 'dispatcher');
    await page.type(sel('login-password'), DEMO_PASSWORD);
    await page.click(sel('login-submit'));
    await page.waitForSelector(sel('new-session-phone'), { visible: true });
  }
}

/**
 * Ends a session from its console card the way a dispatcher does (issue #14 §4): "End session" only
 * asks, and the confirmation ends it. `scope`: the card's selector (support/session.ts `card().scope`).
 */
export async function endSessionFromConsole(page: Page, scope: string): Promise<void> {
  await page.click(`${scope} ${sel('end-session-button')}`);
  await page.click(`${scope} ${sel('end-session-confirm')}`);
}

/** The console card of a session, as a selector scope. */
export const cardScope = (sessionId: string) => `${sel('session-card')}[data-session-id="${sessionId}"]`;

export async function statusOf(page: Page, sessionId: string): Promise<string> {
  return page.$eval(`${sel('session-card')}[data-session-id="${sessionId}"] ${sel('session-status')}`, (el) => el.textContent ?? '');
}

/** The caller's part: open the link and tap Start video. */
export async function callerStartsVideo(page: Page, inviteUrl: string): Promise<void> {
  await page.goto(inviteUrl);
  await page.waitForSelector(`${sel('start-video')}:not([disabled])`);
  await page.click(sel('start-video'));
}

/**
 * Opens a viewer link and taps Watch. The link first loads the caller's page, which turns into the
 * viewer page once it has looked at the invite: a tap on the first page's button can land on an
 * element already replaced ("Node is detached from document"), so this waits for the viewer's own.
 */
export async function viewerWatches(page: Page, inviteUrl: string): Promise<void> {
  await page.goto(inviteUrl);
  await page.waitForSelector(`main.viewer ${sel('start-video')}:not([disabled])`);
  await page.click(`main.viewer ${sel('start-video')}`);
}

/** The numbered steps of the caller page's camera guide, once it shows (the camera was blocked). */
export async function guideSteps(page: Page): Promise<string[]> {
  await page.waitForSelector(sel('camera-guide'), { visible: true });
  return page.$$eval(`${sel('camera-guide-steps')} li`, (els) => els.map((e) => e.textContent ?? ''));
}

/**
 * Types a spoken code on `/c` as a caller would; the page sends it by itself at the sixth digit
 * (issue #14), so there is no button to press. The field is emptied first (a retry after a wrong code).
 */
export async function typeSpokenCode(page: Page, code: string): Promise<void> {
  await page.waitForSelector(sel('code-input'), { visible: true });
  await page.$eval(sel('code-input'), (el) => ((el as HTMLInputElement).value = ''));
  await page.type(sel('code-input'), code);
}
