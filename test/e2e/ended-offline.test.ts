import type { CDPSession, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { cameraCalls, cameraTrackStates, installCameraProbe } from '../support/cameraProbe.js';
import { sel, typeSpokenCode, viewerWatches } from '../support/flow.js';
import { freePort, freePortRange, http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, liveSession } from '../support/session.js';

/**
 * A session that ends, or a token that stops working, while the caller's or viewer's phone is out of
 * reach (a tunnel, a lift): when the phone is back, the server's refusal is final, so the page shows
 * where things stand and lets the camera go, instead of retrying for ever with the camera on.
 * DevTools' offline mode cuts the page's HTTP and socket.io (not WebRTC's UDP); the server notices
 * the lost socket after its ping timeout (about 10 s).
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;

const dataState = (page: Page) => page.$eval(sel('caller-status'), (el) => el.getAttribute('data-state') ?? '');

async function setOffline(page: Page, offline: boolean): Promise<CDPSession> {
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  return cdp;
}

/** The caller's camera as the page has it: every track it ever opened, and none still live. */
async function expectCameraReleased(page: Page): Promise<void> {
  const states = await cameraTrackStates(page);
  expect(states.length, 'the page opened a camera').toBeGreaterThan(0);
  expect(states, 'every camera track stopped').toEqual(states.map(() => 'ended'));
}

/** True once the page has opened a camera and stopped every track it opened. */
async function allCameraStopped(page: Page): Promise<boolean> {
  const states = await cameraTrackStates(page);
  return states.length > 0 && states.every((s) => s === 'ended');
}

async function openViewer(baseUrl: string, sessionId: string): Promise<Device> {
  const token = await login(server);
  const r = await http('POST', `${baseUrl}/api/sessions/${sessionId}/viewers`, { token });
  expect(r.status).toBe(201);
  const viewer = await launchDevice();
  await viewerWatches(viewer.page, r.body.inviteUrl as string);
  await waitFor('viewer live', async () => (await dataState(viewer.page)) === 'live', 30_000);
  return viewer;
}

describe('a session that ends while the phone is offline', () => {
  let viewer: Device | undefined;

  beforeAll(async () => {
    server = await startServer();
    [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
    await installCameraProbe(caller.page);
  });

  afterEach(async () => {
    await viewer?.close();
    viewer = undefined;
  });

  afterAll(async () => {
    await Promise.all([dispatcher?.close(), caller?.close()]);
    await server?.stop();
  });

  it('shows the ended state within 10 s of reconnecting, to the caller with every camera track stopped, and to a viewer', async () => {
    const { sessionId, c } = await liveSession(dispatcher.page, caller.page, server.url);
    viewer = await openViewer(server.url, sessionId);
    const cdps = [await setOffline(caller.page, true), await setOffline(viewer.page, true)];
    // Longer than the ping timeout: the server has dropped the caller's socket and its transports.
    await c.waitStatus('reconnecting', 30_000);
    await waitFor('caller page reconnecting', async () => (await dataState(caller.page)) === 'reconnecting', 30_000);
    const end = await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token: await login(server) });
    expect(end.status).toBe(200);
    await c.waitStatus('ended');

    for (const cdp of cdps) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const back = Date.now();
    await waitFor('caller ended', async () => (await dataState(caller.page)) === 'ended', 10_000, 100);
    await waitFor('viewer ended', async () => (await dataState(viewer!.page)) === 'ended', 10_000, 100);
    process.stdout.write(`ended shown ${Date.now() - back} ms after the network came back\n`);
    await expectCameraReleased(caller.page);
    expect(await viewer.page.$eval(sel('remote-video'), (v) => (v as HTMLVideoElement).srcObject), 'the viewer let the video go').toBeNull();
    // It stays that way: no retry brings the camera back.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await dataState(caller.page)).toBe('ended');
    await expectCameraReleased(caller.page);
    for (const cdp of cdps) await cdp.detach();
  });

  it('shows the ended state at once, camera never opened, when a tab that still holds its token reloads after the end', async () => {
    const { sessionId } = await liveSession(dispatcher.page, caller.page, server.url);
    // The token this tab was given; the end below reaches the page, which forgets it. The tab is then
    // put back as it is after a reload that came before the page heard of the end.
    const saved = await caller.page.evaluate(() => Object.entries(sessionStorage));
    expect(saved.length).toBeGreaterThan(0);
    await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token: await login(server) });
    await waitFor('caller ended', async () => (await dataState(caller.page)) === 'ended');
    await caller.page.evaluate((entries) => entries.forEach(([k, v]) => sessionStorage.setItem(k, v)), saved);
    await caller.page.reload();
    await waitFor('ended after the reload', async () => (await dataState(caller.page)) === 'ended', 10_000, 100);
    expect(await cameraCalls(caller.page), 'no camera opened for a session that is over').toBe(0);
    expect(await caller.page.$eval(sel('start-video'), (b) => (b as HTMLButtonElement).disabled || (b as HTMLElement).hidden)).toBe(true);
  });

  it('lets the camera go when the tap finds the network down, and a tap once it is back goes live', async () => {
    const token = await login(server);
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    const inviteUrl = (created.body.inviteUrl as string).replace(/^http:\/\/[^/]+/, server.url);
    await caller.page.goto(inviteUrl);
    await caller.page.waitForSelector(`${sel('start-video')}:not([disabled])`);
    const cdp = await setOffline(caller.page, true);
    await caller.page.click(sel('start-video'));
    await waitFor('the tap fails', async () => (await dataState(caller.page)) === 'error', 15_000, 100);
    await waitFor('camera released', () => allCameraStopped(caller.page), 5_000, 100);
    expect(await cameraCalls(caller.page), 'the tap opened the camera').toBe(1);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    await caller.page.waitForSelector(`${sel('start-video')}:not([disabled])`);
    await caller.page.click(sel('start-video'));
    await waitFor('caller live', async () => (await dataState(caller.page)) === 'live', 30_000);
    expect((await cameraTrackStates(caller.page)).filter((s) => s === 'live')).toHaveLength(1);
  });

  it('shows a viewer who reloads after the end the ended state, with nothing to tap', async () => {
    const { sessionId } = await liveSession(dispatcher.page, caller.page, server.url);
    viewer = await openViewer(server.url, sessionId);
    await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token: await login(server) });
    await waitFor('viewer ended', async () => (await dataState(viewer!.page)) === 'ended');
    await viewer.page.reload();
    await waitFor('ended after the reload', async () => (await dataState(viewer!.page)) === 'ended', 10_000, 100);
    expect(await viewer.page.$eval(sel('start-video'), (b) => (b as HTMLButtonElement).disabled)).toBe(true);
  });

  it('shows the ended state and stops the camera when the spoken-code page is reloaded with its token after the end, and tapped', async () => {
    const token = await login(server);
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    const sessionId = created.body.id as string;
    const spoken = await http('POST', `${server.url}/api/sessions/${sessionId}/code`, { token });
    await caller.page.goto(`${server.url}/c`);
    await caller.page.waitForSelector(`${sel('code-submit')}:not([disabled])`);
    await typeSpokenCode(caller.page, spoken.body.code as string);
    await waitFor('caller live', async () => (await callerStatus(caller.page)).startsWith('live'), 30_000);
    const saved = await caller.page.evaluate(() => Object.entries(sessionStorage));
    await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token });
    await waitFor('caller ended', async () => (await dataState(caller.page)) === 'ended');
    await caller.page.evaluate((entries) => entries.forEach(([k, v]) => sessionStorage.setItem(k, v)), saved);
    await caller.page.reload();
    // With a token in the tab, `/c` offers the start button again; the tap learns the session is over.
    await caller.page.waitForSelector(`${sel('start-video')}:not([disabled])`);
    await caller.page.click(sel('start-video'));
    await waitFor('ended after the tap', async () => (await dataState(caller.page)) === 'ended', 10_000, 100);
    await waitFor('camera released', () => allCameraStopped(caller.page), 5_000, 100);
    expect(await caller.page.evaluate(() => sessionStorage.getItem('sightline.invite.c')), 'the spent token is forgotten').toBeNull();
  });
});

describe('a token or session the server no longer knows when the phone comes back', () => {
  const secretA = 'a'.repeat(40);
  let port: number;
  let rtcPort: string;

  beforeAll(async () => {
    port = await freePort();
    rtcPort = String(await freePortRange(1));
    [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
    await installCameraProbe(caller.page);
  });

  /** Every server this part started: one port, so one must be gone before the next starts. */
  const started: TestServer[] = [];
  afterEach(async () => {
    for (const s of started.splice(0)) await s.stop();
  });

  afterAll(async () => {
    await Promise.all([dispatcher?.close(), caller?.close()]);
  });

  const start = async (secret: string) => {
    const s = await startServer({ PORT: String(port), RTC_PORT: rtcPort, PUBLIC_URL: `http://127.0.0.1:${port}`, JWT_SECRET: secret });
    started.push(s);
    return s;
  };

  it('says the link no longer works, and stops the camera, when the caller token is refused on reconnecting', async () => {
    server = await start(secretA);
    await liveSession(dispatcher.page, caller.page, server.url);
    // Another signing key (a rotated secret; an expired token is refused the same way, at the handshake).
    await server.stop();
    await waitFor('caller reconnecting', async () => (await dataState(caller.page)) === 'reconnecting', 20_000);
    server = await start('b'.repeat(40));
    const back = Date.now();
    await waitFor('caller expired', async () => (await dataState(caller.page)) === 'expired', 15_000, 100);
    process.stdout.write(`expired shown ${Date.now() - back} ms after the server came back\n`);
    await expectCameraReleased(caller.page);
  });

  it('shows the ended state, and stops the camera, when the server no longer knows the session', async () => {
    server = await start(secretA);
    await liveSession(dispatcher.page, caller.page, server.url);
    // The same key, but the in-memory store is gone with the process: the session is unknown.
    await server.stop();
    await waitFor('caller reconnecting', async () => (await dataState(caller.page)) === 'reconnecting', 20_000);
    server = await start(secretA);
    await waitFor('caller ended', async () => (await dataState(caller.page)) === 'ended', 15_000, 100);
    await expectCameraReleased(caller.page);
  });
});

describe('an invite that expired while the page sat open', () => {
  beforeAll(async () => {
    // Six seconds instead of fifteen minutes.
    server = await startServer({ INVITE_TTL_MINUTES: '0.1' });
    caller = await launchDevice({ mobile: true });
    await installCameraProbe(caller.page);
  });

  afterAll(async () => {
    await caller?.close();
    await server?.stop();
  });

  it('says the link no longer works at the tap, and lets the camera go', async () => {
    const token = await login(server);
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } });
    const inviteUrl = (created.body.inviteUrl as string).replace(/^http:\/\/[^/]+/, server.url);
    await caller.page.goto(inviteUrl);
    await caller.page.waitForSelector(`${sel('start-video')}:not([disabled])`);
    await new Promise((r) => setTimeout(r, 7_000));
    await caller.page.click(sel('start-video'));
    await waitFor('caller expired', async () => (await dataState(caller.page)) === 'expired', 10_000, 100);
    await waitFor('camera released', () => allCameraStopped(caller.page), 5_000, 100);
  });
});
