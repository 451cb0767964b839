import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { startFakeTwilio, type FakeTwilio } from '../support/fakeTwilio.js';
import { callerStartsVideo, dispatcherCreatesSession, sel } from '../support/flow.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card, framesKeepRising } from '../support/session.js';

/**
 * The dispatcher's and the caller's experience in one live session, with SMS through the real
 * twilio SDK to a fake Twilio: delivery to the console timeline, chat both ways, camera flip and
 * torch on request, snapshot, location, and a network drop that heals without a click.
 */
let fake: FakeTwilio;
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let sessionId: string;
let c: ReturnType<typeof card>;

beforeAll(async () => {
  fake = await startFakeTwilio();
  const port = await freePort();
  server = await startServer({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SMS_PROVIDER: 'twilio',
    TWILIO_ACCOUNT_SID: fake.accountSid,
    TWILIO_AUTH_TOKEN: fake.authToken,
    TWILIO_FROM: '+4759440000',
    TWILIO_API_URL: fake.url,
  });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  await fake?.close();
});

describe('a live session, both sides', () => {
  it('sends the SMS through Twilio and shows its delivery on the console timeline', async () => {
    const created = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-100' });
    sessionId = created.sessionId;
    c = card(dispatcher.page, sessionId);
    const message = await waitFor('the SMS at the fake Twilio', async () => fake.messages[0]);
    expect(message.body.startsWith(created.inviteUrl)).toBe(true);
    await c.waitStatus('sms_sent');
    expect((await fake.deliverStatus(message, 'delivered')).status).toBe(204);
    await c.waitStatus('sms_delivered');
    expect(await c.timeline()).toContain('sms_delivered');

    await callerStartsVideo(caller.page, message.body.split(' ')[0]!);
    await waitFor('caller live', async () => (await callerStatus(caller.page)).startsWith('live'));
    await c.waitStatus('live');
    await framesKeepRising(dispatcher.page);
  });

  it('carries chat both ways, presets in the caller language', async () => {
    await dispatcher.page.type(c.sel('chat-input'), 'Is the patient breathing?');
    await dispatcher.page.click(c.sel('chat-send'));
    await waitFor('caller sees the message', () => caller.page.$eval(sel('chat-log'), (el) => el.textContent?.includes('Is the patient breathing?')));
    await dispatcher.page.click(`${c.scope} [data-preset="show_face"]`);
    // The session language defaults to Norwegian bokmål.
    await waitFor('caller sees the preset in Norwegian', () => caller.page.$eval(sel('chat-log'), (el) => el.textContent?.includes('Vis oss ansiktet til pasienten.')));

    await caller.page.type(sel('chat-input'), 'Yes, but slowly');
    await caller.page.click(sel('chat-send'));
    await waitFor('dispatcher sees the reply', () => dispatcher.page.$eval(`${c.scope} .chat-log`, (el) => el.textContent?.includes('Yes, but slowly')));
    expect((await c.timeline()).filter((t) => t === 'chat')).toHaveLength(3);
  });

  it('flips the caller camera on request, and says when the torch is not there', async () => {
    await dispatcher.page.click(c.sel('request-flip'));
    await waitFor('flip done', async () => (await c.text('control-reply')).includes('Flip camera: done'));
    await waitFor('flip logged', async () => (await c.timeline()).includes('camera_flipped'));
    await framesKeepRising(dispatcher.page);

    await dispatcher.page.click(c.sel('request-torch-on'));
    await waitFor('torch answer', async () => (await c.text('control-reply')).includes('not possible on this phone'));
  });

  it('saves a snapshot to the session and lists it', async () => {
    await dispatcher.page.click(c.sel('snapshot-button'));
    await waitFor('snapshot listed', async () => (await dispatcher.page.$$(c.sel('snapshot-item'))).length === 1);
    const token = await login(server);
    const list = await http('GET', `${server.url}/api/sessions/${sessionId}/snapshots`, { token });
    expect(list.body.snapshots).toHaveLength(1);
    expect(list.body.snapshots[0]).toMatchObject({ source: 'dispatcher' });
    const image = await fetch(`${server.url}/api/sessions/${sessionId}/snapshots/${list.body.snapshots[0].name}`, { headers: { authorization: `Bearer ${token}` } });
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(5_000);
  });

  it('shows the caller location in the console', async () => {
    await caller.browser.defaultBrowserContext().overridePermissions(server.url, ['geolocation', 'camera']);
    await caller.page.setGeolocation({ latitude: 59.91273, longitude: 10.74609, accuracy: 12 });
    await caller.page.click(sel('share-location'));
    await waitFor('location shown', async () => (await c.text('caller-location')).includes('59.91273, 10.74609'));
  });

  it('brings video back by itself after the caller network drops', async () => {
    const cdp = await caller.page.createCDPSession();
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await c.waitStatus('reconnecting', 30_000);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await c.waitStatus('live', 30_000);
    await waitFor('caller live again', async () => (await callerStatus(caller.page)).startsWith('live'), 30_000);
    await framesKeepRising(dispatcher.page, 10, 20_000);
    await cdp.detach();
  });
});
