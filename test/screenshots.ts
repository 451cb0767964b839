/**
 * Regenerates docs/screenshots/*.png: the dispatcher console with a live session, and the caller
 * page on a phone-sized viewport, both from the real stack.   npm run screenshots
 */
import path from 'node:path';
import { launchDevice, waitFor } from './support/browser.js';
import { callerStartsVideo, dispatcherCreatesSession, sel } from './support/flow.js';
import { freePort, REPO_ROOT, startServer } from './support/server.js';
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
    process.stdout.write('wrote docs/screenshots/console.png, caller.png, caller-code.png, caller-blocked.png\n');
  } finally {
    await Promise.all([dispatcher.close(), caller.close()]);
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
