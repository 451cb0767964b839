/**
 * One sitting of the time-to-first-frame measurement through Sightline: the server process as
 * `npm start` runs it, two headless Chromium instances (caller on a phone viewport, dispatcher on
 * a desktop one) with 720p fake cameras; a warm-up run, then `runs` counted runs, each a fresh
 * session created through the console UI. Never fails on timing.
 */
import type { CDPSession, Page } from 'puppeteer-core';
import { launchDevice, waitFor } from '../support/browser.js';
import { cardScope, dispatcherCreatesSession, endSessionFromConsole, sel } from '../support/flow.js';
import { startServer } from '../support/server.js';
import { countBytes, readMarks, readThePage, recordRun, scrapeServer, serverFigures, sinceTap, type Sitting, type StepTimes } from './measure.js';

export async function sightlineSitting(runs: number, label = 'Sightline '): Promise<Sitting> {
  const server = await startServer({ LOG_LEVEL: 'error' });
  const sitting: Sitting = { ttff: [], bytes: [], steps: [] };
  try {
    const [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
    try {
      for (let i = 0; i < runs + 1; i++) {
        const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
        await armFirstFrameProbe(dispatcher.page, sessionId);
        const cdp = await caller.page.createCDPSession();
        const counter = await countBytes(cdp);
        await caller.page.goto(inviteUrl);
        const { ttff, transferred, steps } = await tapToFirstFrame(caller.page, dispatcher.page, sessionId, counter, cdp, () => scrapeServer(server.url));
        recordRun(i, ttff, transferred, sitting, label, steps);
        await endSessionFromConsole(dispatcher.page, cardScope(sessionId));
        await caller.page.goto('about:blank');
      }
    } finally {
      await Promise.all([dispatcher.close(), caller.close()]);
    }
  } finally {
    await server.stop();
  }
  return sitting;
}

/**
 * The measured part of one run, the same on every Sightline side: waits for the enabled button and
 * the caller's reading time (READ_MS), taps, waits for the console's first presented frame, then
 * reads both pages' marks and the server figures (`scrape`: one node's /metrics, or every node's).
 * Returns ms from the tap to the first frame, the caller page's bytes so far, and the steps.
 */
export async function tapToFirstFrame(
  caller: Page,
  dispatcher: Page,
  sessionId: string,
  counter: { total(): number },
  cdp: CDPSession,
  scrape: () => Promise<Map<string, number>>,
): Promise<{ ttff: number; transferred: number; steps: StepTimes }> {
  await caller.waitForSelector(`${sel('start-video')}:not([disabled])`);
  await readThePage();
  const serverBefore = await scrape();
  const tappedAt = await caller.$eval(sel('start-video'), (el) => {
    const t = performance.timeOrigin + performance.now();
    (el as HTMLButtonElement).click();
    return t;
  });
  const firstFrameAt = await waitFor('first frame', () => dispatcher.evaluate(() => (window as any).__firstFrameAt as number | undefined), 30_000, 5);
  const transferred = counter.total();
  await cdp.detach();
  // The resume's acknowledgement may trail the first frame (media leaves before the answer does).
  await new Promise((r) => setTimeout(r, 250));
  const steps = {
    ...sinceTap(tappedAt, await readMarks(caller, sessionId), await readMarks(dispatcher, sessionId)),
    ...serverFigures(serverBefore, await scrape()),
  };
  return { ttff: firstFrameAt - tappedAt, transferred, steps };
}

/** Stamps window.__firstFrameAt with the wall-clock time the console presents its first remote frame. */
export async function armFirstFrameProbe(page: Page, sessionId: string): Promise<void> {
  await page.evaluate((id) => {
    const w = window as any;
    w.__firstFrameAt = undefined;
    const video = document.querySelector(`[data-testid="session-card"][data-session-id="${id}"] [data-testid="remote-video"]`) as HTMLVideoElement;
    video.requestVideoFrameCallback(() => (w.__firstFrameAt = performance.timeOrigin + performance.now()));
  }, sessionId);
}
