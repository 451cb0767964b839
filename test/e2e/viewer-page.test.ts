import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { sel, viewerWatches } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { card, liveSession } from '../support/session.js';

/**
 * Issue #14 §4: the viewer page (an AMK doctor or ambulance crew, on a phone) shows the incident
 * reference, the caller's location with a map link, and the chat from before it joined, then keeps up
 * with new messages and a moved location. Real Chromium for the console, the caller and the viewer.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let viewer: Device;
let sessionId: string;
const INCIDENT = 'AMK-2026-1201-0007';

beforeAll(async () => {
  server = await startServer();
  [dispatcher, caller, viewer] = await Promise.all([launchDevice(), launchDevice({ mobile: true }), launchDevice({ mobile: true })]);
  ({ sessionId } = await liveSession(dispatcher.page, caller.page, server.url, { incident: INCIDENT, timeoutMs: 30_000 }));
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close(), viewer?.close()]);
  await server?.stop();
});

const text = async (testid: string) => viewer.page.$eval(`main.viewer ${sel(testid)}`, (el) => el.textContent ?? '');

describe('the viewer page', () => {
  it('shows the incident reference and the chat from before it joined, then the location as the caller shares it, on a phone', async () => {
    const staff = await login(server);
    await caller.page.type(sel('chat-input'), 'He is not breathing');
    await caller.page.click(sel('chat-send'));
    await waitFor('the message in the console timeline', async () => (await card(dispatcher.page, sessionId).timeline()).includes('chat'));
    const invite = await http('POST', `${server.url}/api/sessions/${sessionId}/viewers`, { token: staff, body: {} });
    expect(invite.status).toBe(201);
    await viewerWatches(viewer.page, invite.body.inviteUrl as string);

    await waitFor('the incident reference', async () => (await text('incident-ref')) === INCIDENT, 15_000);
    await waitFor('the chat from before the viewer joined', async () => (await text('chat-log')).includes('He is not breathing'));
    expect(await viewer.page.$(`main.viewer ${sel('caller-location')} a`), 'no location yet').toBeNull();

    // For the origin the invite link opened (its host may differ from the server's test URL).
    await caller.browser.defaultBrowserContext().overridePermissions(new URL(caller.page.url()).origin, ['geolocation', 'camera']);
    await caller.page.setGeolocation({ latitude: 59.91273, longitude: 10.74609, accuracy: 12 });
    await caller.page.click(sel('share-location'));
    await waitFor('the location, live', async () => (await text('caller-location')).includes('59.91273'), 15_000);
    const href = await viewer.page.$eval(`main.viewer ${sel('caller-location')} a`, (a) => (a as HTMLAnchorElement).href);
    expect(href).toContain('openstreetmap.org');
    expect(href).toContain('mlat=59.91273');
    expect(await text('caller-location')).toMatch(/±12 m/);

    // Fits a phone: nothing wider than the screen, and the map link is a full tap target.
    expect(await viewer.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const link = await viewer.page.$eval(`main.viewer ${sel('caller-location')} a`, (a) => a.getBoundingClientRect().height);
    expect(link).toBeGreaterThanOrEqual(44);
  });

  it('after a reload has the location and the chat from its join answer, each message once', async () => {
    await caller.page.type(sel('chat-input'), 'Starting compressions');
    await caller.page.click(sel('chat-send'));
    await waitFor('the new message', async () => (await text('chat-log')).includes('Starting compressions'));
    await viewer.page.reload();
    await viewer.page.waitForSelector(`main.viewer ${sel('start-video')}:not([disabled])`);
    await viewer.page.click(`main.viewer ${sel('start-video')}`);
    await waitFor('the location from the join answer', async () => (await text('caller-location')).includes('59.91273'), 15_000);
    await waitFor('the chat from the join answer', async () => (await text('chat-log')).includes('Starting compressions'));
    const lines = await viewer.page.$$eval(`main.viewer ${sel('chat-log')} li`, (li) => li.map((l) => l.textContent ?? ''));
    expect(lines.filter((l) => l.includes('He is not breathing'))).toHaveLength(1);
    expect(await text('incident-ref')).toBe(INCIDENT);
  });
});
