import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel } from '../support/flow.js';
import { DEMO_PASSWORD, freePort, startServer, type TestServer } from '../support/server.js';
import { card } from '../support/session.js';

/**
 * README "Dispatcher console … Keyboard-usable": a dispatcher who never touches the mouse logs in,
 * creates a session, chats and ends it; a supervisor opens a session from the search results.
 * Only Tab, typing and Enter: each control is reached by tabbing to it, never focused by script.
 */
let server: TestServer;
let device: Device;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  device = await launchDevice();
});

afterAll(async () => {
  await device?.close();
  await server?.stop();
});

/** Presses Tab until `selector` has the focus; fails if it is not reached within `max` presses. */
async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} not reached with Tab in ${max} presses`);
}

describe('the console by keyboard alone', () => {
  it('logs in, creates a session, chats and ends it', async () => {
    const page = device.page;
    await page.goto(`${server.url}/console`);
    await page.waitForSelector(sel('login-username'), { visible: true });
    await tabTo(page, sel('login-username'));
    await page.keyboard.type('dispatcher');
    await tabTo(page, sel('login-password'));
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector(sel('new-session-phone'), { visible: true });

    await tabTo(page, sel('new-session-phone'));
    await page.keyboard.type('+4791234567');
    await tabTo(page, sel('new-session-incident'));
    await page.keyboard.type('INC-KEYS');
    await page.keyboard.press('Enter');
    const sessionId = await waitFor('a session card', () =>
      page.$eval(sel('session-card'), (el) => el.getAttribute('data-session-id') ?? undefined).catch(() => undefined),
    );
    const c = card(page, sessionId);
    await c.waitStatus('sms_sent');

    await tabTo(page, c.sel('chat-input'));
    await page.keyboard.type('Can you hear me?');
    await page.keyboard.press('Enter');
    await waitFor('chat on the timeline', async () => (await c.timeline()).includes('chat'));

    await tabTo(page, c.sel('end-session-button'));
    await page.keyboard.press('Enter');
    // Ending asks first (issue #14 §4); the question takes the focus, so Enter again confirms.
    await tabTo(page, c.sel('end-session-confirm'));
    await page.keyboard.press('Enter');
    await c.waitStatus('ended');
  });

  it('lets a supervisor open a session from the search results with Enter', async () => {
    const page = device.page;
    await page.goto(`${server.url}/audit`);
    await page.waitForSelector(sel('login-username'), { visible: true });
    await tabTo(page, sel('login-username'));
    await page.keyboard.type('supervisor');
    await tabTo(page, sel('login-password'));
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector(sel('session-row'), { visible: true });
    await tabTo(page, sel('session-row'));
    await page.keyboard.press('Enter');
    await waitFor('the session opened', () => page.$eval(sel('log-integrity'), (el) => el.textContent === 'intact').catch(() => false));
  });
});
