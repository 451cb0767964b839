/**
 * Time to first frame: from the caller's tap on "Start video" to the first frame the dispatcher's
 * console renders, through the real stack (server process, mediasoup worker, two headless
 * Chromium instances with 720p fake cameras). Prints figures; never fails on timing.
 *
 *   npm run bench:ttff            (RUNS=20 npm run bench:ttff for more runs)
 */
import { countBytes, median, recordRun, summarize } from './measure.js';
import type { Page } from 'puppeteer-core';
import { launchDevice, waitFor } from '../support/browser.js';
import { dispatcherCreatesSession, sel } from '../support/flow.js';
import { startServer } from '../support/server.js';

const RUNS = Number(process.env['RUNS'] ?? 10);

async function main(): Promise<void> {
  const server = await startServer({ LOG_LEVEL: 'error' });
  const [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  const ttff: number[] = [];
  const bytes: number[] = [];
  try {
    for (let i = 0; i < RUNS + 1; i++) {
      const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
      await armFirstFrameProbe(dispatcher.page, sessionId);
      const cdp = await caller.page.createCDPSession();
      const counter = await countBytes(cdp);
      await caller.page.goto(inviteUrl);
      await caller.page.waitForSelector(`${sel('start-video')}:not([disabled])`);
      const tappedAt = await caller.page.$eval(sel('start-video'), (el) => {
        const t = performance.timeOrigin + performance.now();
        (el as HTMLButtonElement).click();
        return t;
      });
      const firstFrameAt = await waitFor('first frame', () => dispatcher.page.evaluate(() => (window as any).__firstFrameAt as number | undefined), 30_000, 5);
      const transferred = counter.total();
      await cdp.detach();
      recordRun(i, firstFrameAt - tappedAt, transferred, { ttff, bytes });
      await dispatcher.page.click(`${sel('session-card')}[data-session-id="${sessionId}"] ${sel('end-session-button')}`);
      await caller.page.goto('about:blank');
    }
  } finally {
    await Promise.all([dispatcher.close(), caller.close()]);
    await server.stop();
  }
  process.stdout.write(
    summarize('Sightline', ttff) +
      `caller page bytes on the wire to first frame (compressed, incl. headers and signalling): median ${(median(bytes) / 1024).toFixed(1)} KiB\n`,
  );
}

/** Stamps window.__firstFrameAt with the wall-clock time the console presents its first remote frame. */
async function armFirstFrameProbe(page: Page, sessionId: string): Promise<void> {
  await page.evaluate((id) => {
    const w = window as any;
    w.__firstFrameAt = undefined;
    const video = document.querySelector(`[data-testid="session-card"][data-session-id="${id}"] [data-testid="remote-video"]`) as HTMLVideoElement;
    video.requestVideoFrameCallback(() => (w.__firstFrameAt = performance.timeOrigin + performance.now()));
  }, sessionId);
}



main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
