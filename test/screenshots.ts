/**
 * Regenerates docs/screenshots/*.png from the real stack: the dispatcher console with three sessions,
 * the caller page on a phone (live, the CPR metronome, /c, the camera-blocked guide), the
 * supervisor's timeline in /audit and the CPR chart of a staged session, and a card in CPR mode
 * measuring a synthetic clip, and the /audit analytics view over `npx sightline demo-data`.
 *   npm run screenshots                     every one
 *   npm run screenshots -- audit-analytics  the analytics view's alone (no camera or media needed)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SessionEvent } from '@sightline/shared';
import type { Page } from 'puppeteer-core';
import { AuditLogs } from '../server/src/audit/AuditLogs.js';
import { launchDevice, waitFor } from './support/browser.js';
import { CPR_CLIPS, cprClipFile } from './support/cprClips.js';
import { callerStartsVideo, dispatcherCreatesSession, sel } from './support/flow.js';
import { freePort, REPO_ROOT, startServer } from './support/server.js';
import { auditLogin, openAuditSession } from './support/audit.js';
import { demoDataDir } from './support/demoData.js';
import { callerStatus, card, framesKeepRising } from './support/session.js';

const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

async function main(): Promise<void> {
  if (process.argv[2] === 'audit-analytics') return analyticsView(path.join(REPO_ROOT, 'docs', 'screenshots', 'audit-analytics.png'));
  const port = await freePort();
  const server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'error' });
  const [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  const out = (name: string) => path.join(REPO_ROOT, 'docs', 'screenshots', name);
  try {
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'AMK-2026-1123-0042' });
    const c = card(dispatcher.page, sessionId);
    await callerStartsVideo(caller.page, inviteUrl);
    await waitFor('caller live', async () => (await callerStatus(caller.page)).startsWith('live'));
    await c.waitStatus('live');
    await framesKeepRising(dispatcher.page, 30);
    // Three sessions on the rail (issue #14): two more wait for their callers; the live one is picked back into focus.
    await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'AMK-2026-1123-0047' });
    await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'AMK-2026-1123-0051' });
    await dispatcher.page.click(`${sel('session-row')}[data-session-id="${sessionId}"]`);
    await framesKeepRising(dispatcher.page, 30);
    await dispatcher.page.click(`${c.scope} [data-preset="show_chest"]`);
    await dispatcher.page.type(c.sel('chat-input'), 'Is he breathing normally?');
    await dispatcher.page.click(c.sel('chat-send'));
    await caller.page.type(sel('chat-input'), 'Yes, but he is very pale');
    await caller.page.click(sel('chat-send'));
    await dispatcher.page.click(c.sel('spoken-code-button'));
    await waitFor('spoken code', async () => /^\d{6}$/.test(await c.text('spoken-code')));
    await dispatcher.page.click(c.sel('snapshot-button'));
    await waitFor('snapshot', async () => (await dispatcher.page.$$(c.sel('snapshot-item'))).length > 0);
    await new Promise((r) => setTimeout(r, 1500));
    await dispatcher.page.evaluate(() => window.scrollTo(0, 0));
    await dispatcher.page.screenshot({ path: out('console.png') as `${string}.png` });
    await caller.page.screenshot({ path: out('caller.png') as `${string}.png` });

    // The CPR metronome (issue #15 §2): the console's button, the phone's pulse.
    await dispatcher.page.click(c.sel('metronome-button'));
    await caller.page.waitForSelector(sel('metronome'), { visible: true });
    await new Promise((r) => setTimeout(r, 700));
    await caller.page.screenshot({ path: out('caller-metronome.png') as `${string}.png` });
    // Show me (issue #15 §1): the dispatcher's camera inset over the caller's own preview.
    await dispatcher.page.click(c.sel('metronome-button'));
    await caller.page.waitForSelector(sel('metronome'), { hidden: true });
    await dispatcher.page.select(c.sel('show-me-source'), 'camera');
    await dispatcher.page.click(c.sel('show-me-button'));
    await caller.page.waitForSelector(sel('dispatcher-video'), { visible: true });
    await waitFor('the inset playing', () =>
      caller.page.$eval(sel('dispatcher-video'), (v) => (v as HTMLVideoElement).readyState >= 2 && (v as HTMLVideoElement).currentTime > 0.5),
    );
    await caller.page.screenshot({ path: out('caller-show-me.png') as `${string}.png` });
    await dispatcher.page.click(c.sel('show-me-button'));

    await caller.page.goto(inviteUrl.replace(/\/j\/.*/, '/c'));
    await caller.page.screenshot({ path: out('caller-code.png') as `${string}.png` });
    // The caller page's camera guide (issue #14): an Android phone whose camera is blocked.
    const blocked = await caller.browser.newPage();
    await blocked.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await blocked.setUserAgent({ userAgent: ANDROID_CHROME, platform: 'Linux armv8l' });
    await blocked.evaluateOnNewDocument(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await callerStartsVideo(blocked, (await dispatcherCreatesSession(dispatcher.page, server.url)).inviteUrl);
    await blocked.waitForSelector(sel('camera-guide'), { visible: true });
    await blocked.screenshot({ path: out('caller-blocked.png') as `${string}.png` });
    // The supervisor's swimlane timeline of the live session once it has ended (issue #14 §5).
    await c.end();
    await c.waitStatus('ended');
    const audit = await dispatcher.browser.newPage();
    await audit.setViewport({ width: 1280, height: 900 });
    await auditLogin(audit, server.url);
    await openAuditSession(audit, sessionId);
    await audit.waitForSelector(`${sel('session-timeline-chart')} svg`, { visible: true });
    await new Promise((r) => setTimeout(r, 1000));
    await audit.$eval(sel('session-timeline-chart'), (el) => el.scrollIntoView({ block: 'center' }));
    await audit.screenshot({ path: out('audit.png') as `${string}.png` });
    await cprChart(audit, out('audit-cpr.png'));
    await consoleCpr(dispatcher.page, server.url, out('console-cpr.png'));
    await analyticsView(out('audit-analytics.png'));
    process.stdout.write(
      'wrote docs/screenshots/console.png, caller.png, caller-metronome.png, caller-code.png, caller-blocked.png, audit.png, audit-cpr.png, console-cpr.png, audit-analytics.png\n',
    );
  } finally {
    await Promise.all([dispatcher.close(), caller.close()]);
    await server.stop();
  }
}

/**
 * A card in CPR mode (issue #15 §2): the caller's phone films the synthetic 110/min clip (the
 * e2e test's), the console measures it; the picture and the CPR panel once a reading is shown.
 */
async function consoleCpr(page: Page, baseUrl: string, file: string): Promise<void> {
  const phone = await launchDevice({ mobile: true, fakeVideoFile: await cprClipFile(CPR_CLIPS.find((x) => x.name === 'block-110')!) });
  // The console is behind the /audit tab by now: a background tab draws no frames to measure.
  await page.bringToFront();
  try {
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(page, baseUrl, { incident: 'AMK-2026-1123-0058' });
    const c = card(page, sessionId);
    await callerStartsVideo(phone.page, inviteUrl);
    await c.waitStatus('live');
    await page.click(c.sel('cpr-mode-button'));
    await page.click(c.sel('metronome-button'));
    await waitFor('a CPR reading', async () => (await page.$eval(c.sel('cpr-rate'), (el) => el.getAttribute('data-quality'))) === 'ok', 20_000);
    const main = await page.$(`${c.scope} .card-main`);
    await main!.scrollIntoView();
    await main!.screenshot({ path: file as `${string}.png` });
  } finally {
    await phone.close();
  }
}

/**
 * The /audit CPR chart of a staged session (a live screenshot would crowd minutes of 10 s windows
 * into seconds): its log, as a server leaves it, in a DATA_DIR of its own, read by a second server.
 */
async function cprChart(page: Page, file: string): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-shots-cpr-'));
  const id = 's_screenshot_cpr';
  const t0 = Date.now() - 20 * 60_000;
  const logs = new AuditLogs(dataDir);
  const events: [number, SessionEvent['type'], Record<string, unknown>?][] = [
    [0, 'created', { phone: '+47*****567', incidentRef: 'AMK-2026-1123-0042', language: 'nb' }],
    [40, 'live'],
    [60, 'cpr_started'],
  ];
  const windows: (number | null)[] = [88, 94, null, 101, 106, 109, 112, null, 110, 108, 111, 113, 109, 110];
  windows.forEach((rate, i) => {
    const at = 70 + i * 10;
    if (i === 2) events.push([84, 'cpr_metronome', { on: true, bpm: 110 }]);
    if (i === 7) events.push([at - 2, 'cpr_pause', { seconds: 4.2 }]);
    events.push([at, 'cpr_window', { rate, quality: rate === null ? 'none' : 'ok', seconds: 10, handsOffSeconds: rate === null ? 4.2 : 0 }]);
  });
  events.push([215, 'cpr_ended', { reason: 'dispatcher' }], [230, 'cpr_metronome', { on: false, bpm: 110 }], [260, 'ended', { reason: 'dispatcher' }]);
  for (const [sec, type, details] of events) {
    const actor = type === 'live' ? 'system' : 'dispatcher:dispatcher';
    await logs.appendSession(id, { type, at: new Date(t0 + sec * 1000).toISOString(), actor, ...(details && { details }) }, type === 'ended');
  }
  const staged = await startServer({ PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  try {
    await auditLogin(page, staged.url);
    await openAuditSession(page, id);
    await page.waitForSelector(`${sel('cpr-chart')} svg`, { visible: true });
    await new Promise((r) => setTimeout(r, 800));
    const section = await page.$('.cpr');
    await section!.screenshot({ path: file as `${string}.png` });
  } finally {
    await staged.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The /audit analytics view (issue #16 §1) at 1280×720 over 500 synthetic sessions from the real
 * `npx sightline demo-data` (a fixed seed, so the picture changes only when the code does).
 */
async function analyticsView(file: string): Promise<void> {
  const demo = await demoDataDir();
  const filled = demo.cli('demo-data', '--sessions', '500', '--seed', '2026');
  if (filled.status !== 0) throw new Error(`demo-data failed: ${filled.stderr}`);
  const staged = await startServer({ ...demo.env, PORT: String(await freePort()), LOG_LEVEL: 'error' });
  const device = await launchDevice();
  try {
    await device.page.setViewport({ width: 1280, height: 720 });
    await auditLogin(device.page, staged.url);
    await device.page.click(sel('analytics-link'));
    await device.page.waitForSelector(`${sel('uptake-chart')} svg`, { visible: true });
    await new Promise((r) => setTimeout(r, 800));
    await device.page.screenshot({ path: file as `${string}.png` });
  } finally {
    await device.close();
    await staged.stop();
    await demo.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
