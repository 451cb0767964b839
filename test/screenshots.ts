/**
 * Regenerates docs/screenshots/*.png from the real stack: the dispatcher console with three sessions,
 * the caller page on a phone (live, /c, the camera-blocked guide) and the supervisor's timeline in
 * /audit.   npm run screenshots
 */
import path from 'node:path';
import { launchDevice, waitFor } from './support/browser.js';
import { callerStartsVideo, dispatcherCreatesSession, sel } from './support/flow.js';
import { freePort, REPO_ROOT, startServer } from './support/server.js';
import { auditLogin, openAuditSession } from './support/audit.js';
import { callerStatus, card, framesKeepRising } from './support/session.js';

const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

async function main(): Promise<void> {
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
    process.stdout.write('wrote docs/screenshots/console.png, caller.png, caller-code.png, caller-blocked.png, audit.png\n');
  } finally {
    await Promise.all([dispatcher.close(), caller.close()]);
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
