import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesDecoded, launchDevice, waitFor, type Device } from '../support/browser.js';
import { callerStartsVideo, dispatcherCreatesSession, sel } from '../support/flow.js';
import { freePort, http, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card } from '../support/session.js';

/**
 * The other ways in and around a session: a view-only viewer, the spoken code at /c, the caller's
 * language, a blocked camera, and the console's accessibility.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

describe('ways in', () => {
  it('lets the caller in with the spoken code at /c, and a viewer watch but do nothing else', async () => {
    const { sessionId } = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-CODE' });
    const c = card(dispatcher.page, sessionId);
    await dispatcher.page.click(c.sel('spoken-code-button'));
    const code = await waitFor('spoken code', async () => (await c.text('spoken-code')).match(/^\d{6}$/)?.[0]);

    await caller.page.goto(`${server.url}/c`);
    await caller.page.type(sel('code-input'), code);
    await caller.page.click(sel('code-submit'));
    await waitFor('caller live via code', async () => (await callerStatus(caller.page)).startsWith('live'));
    await c.waitStatus('live');
    expect(await c.timeline()).toEqual(expect.arrayContaining(['code_issued', 'consent_given', 'code_redeemed', 'live']));

    await dispatcher.page.click(c.sel('invite-viewer'));
    const viewerUrl = await waitFor('viewer link', async () => (await c.text('viewer-url')) || undefined);
    const viewer = await launchDevice();
    try {
      await viewer.page.goto(viewerUrl);
      // The page turns into the viewer page once it has looked at the invite; its button is then enabled.
      await viewer.page.waitForSelector(`main.viewer ${sel('start-video')}`);
      await viewer.page.click(`main.viewer ${sel('start-video')}`);
      await waitFor('viewer decodes video', async () => (await framesDecoded(viewer.page)) > 10);
      expect(await c.timeline()).toContain('viewer_joined');

      // The viewer's token can watch, and nothing more.
      const viewerToken = await viewer.page.evaluate(() => {
        const key = Object.keys(sessionStorage).find((k) => k.startsWith('sightline.invite.'));
        return key ? (JSON.parse(sessionStorage.getItem(key)!) as { token: string }).token : undefined;
      });
      expect(viewerToken, 'viewer token kept for reconnects').toBeDefined();
      expect((await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token: viewerToken })).status).toBe(401);
      const socket = io(server.url, { auth: { token: viewerToken }, transports: ['websocket'], reconnection: false });
      const send = await socket.emitWithAck('transport:create', { sessionId, direction: 'send' });
      expect(send.ok).toBe(true);
      const produce = await socket.emitWithAck('media:produce', {
        sessionId,
        transportId: send.data.id,
        kind: 'video',
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }] },
      });
      expect(produce).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const control = await socket.emitWithAck('control:request', { sessionId, action: 'flip' });
      expect(control).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      socket.disconnect();
    } finally {
      await viewer.close();
    }
    await dispatcher.page.click(c.sel('end-session-button'));
    await waitFor('caller ended', async () => (await callerStatus(caller.page)).startsWith('ended'));
  });

  it('refuses wrong codes and then rate-limits the address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await http('POST', `${server.url}/api/codes/redeem`, { body: { code: String(100000 + i) } })).status);
    expect(statuses.slice(0, 5).every((s) => s === 404 || s === 410)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect((await http('POST', `${server.url}/api/codes/redeem`, { body: { code: '12ab' } })).status).toBe(400);
  });
});

describe('the caller page', () => {
  it('speaks the session language, switches language, and turns right-to-left for Arabic', async () => {
    const { inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
    await caller.page.goto(inviteUrl);
    await waitFor('Norwegian consent', () => caller.page.$eval(sel('consent-text'), (el) => el.textContent?.startsWith('AMK ber om')));
    // Languages other than bokmål arrive as small chunks of their own when chosen.
    await caller.page.select(sel('language-select'), 'ar');
    await waitFor('Arabic consent', () => caller.page.$eval(sel('consent-text'), (el) => el.textContent?.includes('مركز الطوارئ')));
    expect(await caller.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await caller.page.select(sel('language-select'), 'pl');
    await waitFor('Polish consent', () => caller.page.$eval(sel('consent-text'), (el) => el.textContent?.includes('Centrum ratunkowe')));
    expect(await caller.page.$eval(sel('recording-notice'), (el) => el.textContent)).toContain('nagrane');
    expect(await caller.page.evaluate(() => document.documentElement.dir)).toBe('ltr');
  });

  it('explains what to do when the camera is blocked, and tells the console', async () => {
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
    const blocked = await launchDevice({ mobile: true, denyCamera: true });
    try {
      await blocked.browser.defaultBrowserContext().overridePermissions(server.url, []);
      await callerStartsVideo(blocked.page, inviteUrl);
      await waitFor('camera_denied', async () => (await callerStatus(blocked.page)).startsWith('camera_denied'));
      const help = await blocked.page.$eval(sel('camera-help'), (el) => ({ text: el.textContent ?? '', hidden: (el as HTMLElement).hidden }));
      expect(help.hidden).toBe(false);
      expect(help.text.length).toBeGreaterThan(30);
      expect(await blocked.page.$eval(sel('photo-upload'), (el) => (el as HTMLElement).offsetParent !== null)).toBe(true);
      await card(dispatcher.page, sessionId).waitStatus('camera_denied');
    } finally {
      await blocked.close();
    }
  });
});

describe('the console', () => {
  it('has no serious accessibility violations (axe-core)', async () => {
    // A console with a live-looking session card on it: the state dispatchers spend their shifts in.
    await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-A11Y' });
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // Evaluated over the devtools protocol: the console's CSP (rightly) refuses inline scripts.
    await dispatcher.page.evaluate(axe);
    const violations = await dispatcher.page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run(document);
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => (n as { target: string[]; failureSummary?: string }).target.join(' ') + ' ' + ((n as { failureSummary?: string }).failureSummary ?? '').slice(0, 160)) }));
    });
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious, JSON.stringify(serious)).toEqual([]);
  });
});
