import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { dispatcherCreatesSession, sel } from '../support/flow.js';
import { freePort, startServer, type TestServer } from '../support/server.js';
import { card, liveSession } from '../support/session.js';

/**
 * Issue #14 §1 "who needs me now": the console built around a session rail, with a fixed alarm strip
 * carrying alarms and caller messages from any session, at 1280×720 and on a 960-wide second screen.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let live: string;
let waiting: string;

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

describe('the alarm strip', () => {
  it("carries a caller's message from a session that is not the one in front of the dispatcher", async () => {
    ({ sessionId: live } = await liveSession(dispatcher.page, caller.page, server.url, { incident: 'INC-LIVE' }));
    ({ sessionId: waiting } = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-WAIT' }));
    await card(dispatcher.page, waiting).waitStatus('sms_sent');

    await caller.page.type(sel('chat-input'), 'Han puster ikke');
    await caller.page.click(sel('chat-send'));
    const item = `${sel('alarm-strip')} li[data-session-id="${live}"][data-kind="caller-message"]`;
    const text = await waitFor('the message on the strip', () => dispatcher.page.$eval(item, (el) => el.textContent ?? '').catch(() => undefined));
    expect(text).toContain('Han puster ikke');
    expect(text).toContain('INC-LIVE');
    // Fixed at the top: in view without scrolling, whatever the page's scroll position.
    await dispatcher.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const box = await dispatcher.page.$eval(sel('alarm-strip'), (el) => el.getBoundingClientRect().toJSON() as DOMRect);
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.bottom).toBeLessThan(720);
    expect(await dispatcher.page.$eval(`${sel('alarm-strip')} [aria-live="assertive"]`, (el) => el.textContent)).toContain('Han puster ikke');

    await dispatcher.page.click(`${item} .alarm-ack`);
    await waitFor('acknowledged', async () => (await dispatcher.page.$(item)) === null);
  });
});
