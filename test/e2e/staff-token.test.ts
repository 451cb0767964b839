import { io } from 'socket.io-client';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { openConsole, sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { card } from '../support/session.js';

/**
 * Staff tokens are short-lived and the open console refreshes its own. With six-second tokens
 * (STAFF_TOKEN_MINUTES takes fractions) the console is used past its first token's expiry: it
 * must have traded that token in, and the old one must be refused everywhere.
 */
const TOKEN_KEY = 'sightline.token';
const LIFETIME_S = 6;
let server: TestServer;
let dispatcher: Device;

beforeAll(async () => {
  server = await startServer({ STAFF_TOKEN_MINUTES: String(LIFETIME_S / 60) });
  dispatcher = await launchDevice();
});

afterAll(async () => {
  await dispatcher?.close();
  await server?.stop();
});

const tokenOf = (page: Page) => page.evaluate((key) => sessionStorage.getItem(key), TOKEN_KEY);

function claims(token: string): { iat: number; exp: number } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
}

/** Resolves when the server accepts a socket.io handshake with `token`, rejects with its refusal. */
function socketHandshake(token: string): Promise<void> {
  const socket = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  }).finally(() => socket.close());
}

/** The dispatcher fills in the new-session form on the page as it is (no reload), and gets a card with a link. */
async function createSessionInPlace(page: Page): Promise<string> {
  const before = await page.$$eval(sel('session-card'), (els) => els.map((e) => e.getAttribute('data-session-id')));
  await page.type(sel('new-session-phone'), '+4791234567');
  await page.click(sel('new-session-submit'));
  const outcome = await waitFor('a new card or an error', () =>
    page.evaluate((known) => {
      const error = document.getElementById('new-session-error')?.textContent;
      if (error) return { error };
      const ids = Array.from(document.querySelectorAll('[data-testid="session-card"]')).map((e) => e.getAttribute('data-session-id'));
      const id = ids.find((i) => i && !known.includes(i));
      return id ? { id } : undefined;
    }, before),
  );
  if (!('id' in outcome) || !outcome.id) throw new Error(`the console could not create a session: ${outcome.error}`);
  return outcome.id;
}

describe('staff token refresh', () => {
  it('issues tokens with the configured lifetime', async () => {
    const { iat, exp } = claims(await login(server));
    expect(exp - iat).toBe(LIFETIME_S);
  });

  it('keeps an open console working past its first token, which is then refused', async () => {
    const page = dispatcher.page;
    await openConsole(page, server.url);
    const first = (await tokenOf(page))!;
    expect(first).toBeTruthy();
    const { exp } = claims(first);

    // The page trades its token in by itself, long before it runs out.
    const fresh = await waitFor(
      'a refreshed token in the page',
      async () => {
        const now = await tokenOf(page);
        return now && now !== first ? now : undefined;
      },
      LIFETIME_S * 1000,
    );
    expect(Date.now() / 1000).toBeLessThan(exp);
    expect(claims(fresh).exp).toBeGreaterThan(exp);

    await waitFor('the first token to expire', async () => Date.now() / 1000 > exp + 1, (LIFETIME_S + 5) * 1000, 200);

    // The same page, never reloaded, still does its work: REST (create, details) and the socket (join, events).
    const sessionId = await createSessionInPlace(page);
    const c = card(page, sessionId);
    await waitFor('the invite link on the card', async () => (await c.text('invite-url')).includes('/j/'));
    await c.waitStatus('sms_sent');
    expect(await c.timeline()).toContain('created');

    // The token it uses now is one the server accepts; the first one is refused on REST and on the socket.
    const current = (await tokenOf(page))!;
    expect(current).not.toBe(first);
    expect((await http('GET', `${server.url}/api/sessions`, { token: current })).status).toBe(200);
    expect((await http('GET', `${server.url}/api/sessions`, { token: first })).status).toBe(401);
    expect((await http('POST', `${server.url}/api/auth/refresh`, { token: first })).status).toBe(401);
    await expect(socketHandshake(current)).resolves.toBeUndefined();
    await expect(socketHandshake(first)).rejects.toThrow(/expired|invalid/);
  });

  it('opens again on reload with the refreshed token, without a login', async () => {
    const page = dispatcher.page;
    await page.reload();
    await page.waitForSelector(sel('new-session-phone'), { visible: true });
    expect(await page.$eval(sel('login-username'), (el) => (el.closest('form') as HTMLElement).hidden)).toBe(true);
  });
});
