import type { Page } from 'puppeteer-core';
import { framesDecoded, waitFor } from './browser.js';
import { callerStartsVideo, dispatcherCreatesSession, endSessionFromConsole, sel, statusOf } from './flow.js';

/** Scoped selectors and waits for one session card in the console. */
export function card(page: Page, sessionId: string) {
  const scope = `${sel('session-card')}[data-session-id="${sessionId}"]`;
  return {
    scope,
    sel: (testid: string) => `${scope} ${sel(testid)}`,
    status: () => statusOf(page, sessionId),
    waitStatus: (status: string, timeoutMs = 20_000) =>
      waitFor(`console status ${status}`, async () => (await statusOf(page, sessionId)) === status, timeoutMs),
    text: (testid: string) => page.$eval(`${scope} ${sel(testid)}`, (el) => el.textContent ?? ''),
    /** End session, then its confirmation. */
    end: () => endSessionFromConsole(page, scope),
    timeline: () => page.$$eval(`${scope} .timeline li`, (els) => els.map((e) => e.getAttribute('data-type') ?? '')),
  };
}

/** Resolves once the page's decoded frame count has risen by `by` over its value now. */
export async function framesKeepRising(page: Page, by = 10, timeoutMs = 15_000): Promise<void> {
  const start = await framesDecoded(page);
  await waitFor(`frames rising past ${start + by}`, async () => (await framesDecoded(page)) > start + by, timeoutMs, 200);
}

/** The caller (or viewer) page's state: `data-state` of `caller-status` (its text is the caller's words, CONTRACT.md). */
export async function callerStatus(page: Page): Promise<string> {
  return page.$eval(sel('caller-status'), (el) => el.getAttribute('data-state') ?? '');
}

/** The common start of most media tests: the dispatcher creates a session, the caller goes live, the console says so. */
export async function liveSession(
  dispatcher: Page,
  caller: Page,
  baseUrl: string,
  opts: { incident?: string; timeoutMs?: number } = {},
): Promise<{ sessionId: string; inviteUrl: string; c: ReturnType<typeof card> }> {
  const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher, baseUrl, { incident: opts.incident });
  const c = card(dispatcher, sessionId);
  await callerStartsVideo(caller, inviteUrl);
  await waitFor('caller live', async () => (await callerStatus(caller)).startsWith('live'), opts.timeoutMs ?? 20_000);
  await c.waitStatus('live', opts.timeoutMs ?? 20_000);
  return { sessionId, inviteUrl, c };
}
