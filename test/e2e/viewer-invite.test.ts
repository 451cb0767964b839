import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { openConsole } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { card } from '../support/session.js';

/**
 * Issue #14, section 4 "Inviting a viewer": besides the raw link, a QR code to scan and a copy
 * button, and "send by SMS to…" a mobile checked as the caller's is (console at 1280×720).
 */
let server: TestServer;
let dispatcher: Device;
let token: string;
let id: string;

beforeAll(async () => {
  server = await startServer();
  token = await login(server);
  id = (await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234567' } })).body.id as string;
  dispatcher = await launchDevice();
  await dispatcher.page.setViewport({ width: 1280, height: 720 });
  await openConsole(dispatcher.page, server.url);
}, 60_000);

afterAll(async () => {
  await dispatcher?.close();
  await server?.stop();
});

describe('inviting a viewer (1280×720)', () => {
  it('gives the link with a QR code and a copy button', async () => {
    const c = card(dispatcher.page, id);
    await dispatcher.page.waitForSelector(c.sel('invite-viewer'), { visible: true });
    // The card has loaded its session (the read-back comes with it) before anything is clicked.
    await waitFor('the card loaded', async () => (await c.text('sms-readback')).includes('+47 912 34 567'));
    await dispatcher.page.click(c.sel('invite-viewer'));
    await waitFor('the viewer link', async () => (await c.text('viewer-url')).includes('/j/'), 5000).catch(async (e) => {
      throw new Error(`${e.message}; note: ${await c.text('invite-note')}`);
    });
    expect(await dispatcher.page.$eval(c.sel('viewer-qr'), (el) => (el as HTMLElement).hidden === false && !!el.querySelector('svg path'))).toBe(true);
    expect(await dispatcher.page.$eval(c.sel('viewer-copy'), (el) => (el as HTMLElement).hidden)).toBe(false);
  });

  it('sends a viewer link by SMS to a number typed as it is read out, logged with the number masked', async () => {
    const c = card(dispatcher.page, id);
    await dispatcher.page.type(c.sel('viewer-phone'), '912 34 568');
    await dispatcher.page.click(c.sel('viewer-sms-send'));
    await waitFor('the note', async () => (await c.text('invite-note')) === 'Viewer link sent by SMS to +47 912 34 568');
    const events = (await http('GET', `${server.url}/api/sessions/${id}`, { token })).body.events as { type: string; details?: Record<string, unknown> }[];
    expect(events.find((e) => e.type === 'viewer_sms')?.details).toMatchObject({ to: '+47*****568', sent: true });
    expect(JSON.stringify(events)).not.toContain('91234568');
  });
});
