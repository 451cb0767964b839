import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../client/src/caller/i18n/en.js';
import { sv } from '../../client/src/caller/i18n/sv.js';
import { inboundVideo, launchDevice, newVideoDecoding, waitFor, type Device } from '../support/browser.js';
import { startFakeTwilio, type FakeTwilio, twilioEnv } from '../support/fakeTwilio.js';
import { callerStartsVideo, dispatcherCreatesSession, sel } from '../support/flow.js';
import { colourDistance, decodeImage, lumaStdDev, meanColour, TEST_CARD, writeTestCard } from '../support/image.js';
import { freePort, http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card, framesKeepRising } from '../support/session.js';

/**
 * The dispatcher's and the caller's experience in one live session, with SMS through the real
 * twilio SDK to a fake Twilio: delivery to the console timeline, chat both ways, camera flip and
 * torch on request, snapshot, location, and a dropped signalling connection that heals without a
 * click (media-only outages, which take the ICE-restart path, are in test/netns). The caller's
 * camera films a known test card (four coloured quadrants), so a still can be told from a black one.
 */
const CARD = { width: 640, height: 480 };
let cardDir: string;
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
    ...twilioEnv(fake),
  });
  cardDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-card-'));
  const fakeVideoFile = path.join(cardDir, 'card.y4m');
  await writeTestCard(fakeVideoFile, CARD);
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true, fakeVideoFile })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  await fake?.close();
  if (cardDir) await rm(cardDir, { recursive: true, force: true });
});

describe('a live session, both sides', () => {
  it('sends the SMS through Twilio and shows its delivery on the console timeline', async () => {
    // A Swedish-speaking caller: the chat presets below must follow the session's language.
    const created = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-100', language: 'sv' });
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
    const preset = () => caller.page.$eval(`${sel('chat-log')} li[data-preset="show_face"] .chat-text`, (el) => el.textContent);
    const writer = () => caller.page.$eval(`${sel('chat-log')} li[data-preset="show_face"] .chat-from`, (el) => el.textContent);
    // The session was created in Swedish; the dispatcher's button is in English.
    await waitFor('caller sees the preset in Swedish', async () => (await preset()) === sv.presets.show_face);
    expect(await writer()).toBe(sv.from.dispatcher);
    // The caller switches language: the preset already on screen follows, and who wrote it.
    await caller.page.select(sel('language-select'), 'en');
    await waitFor('caller sees the preset in English', async () => (await preset()) === en.presets.show_face);
    expect(await writer()).toBe(en.from.dispatcher);

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

  it('saves a snapshot of the caller picture to the session and lists it', async () => {
    // The size of the picture on screen at the click: the still must be that frame, at full size.
    // Read and clicked in one go, so the sender cannot change the size in between.
    const shown = await dispatcher.page.evaluate(
      (videoSel, buttonSel) => {
        const video = document.querySelector<HTMLVideoElement>(videoSel)!;
        const size = { width: video.videoWidth, height: video.videoHeight };
        document.querySelector<HTMLButtonElement>(buttonSel)!.click();
        return size;
      },
      c.sel('remote-video'),
      c.sel('snapshot-button'),
    );
    await waitFor('snapshot listed', async () => (await dispatcher.page.$$(c.sel('snapshot-item'))).length === 1);
    const token = await login(server);
    const list = await http('GET', `${server.url}/api/sessions/${sessionId}/snapshots`, { token });
    expect(list.body.snapshots).toHaveLength(1);
    expect(list.body.snapshots[0]).toMatchObject({ source: 'dispatcher' });
    const image = await fetch(`${server.url}/api/sessions/${sessionId}/snapshots/${list.body.snapshots[0].name}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    const still = await decodeImage(Buffer.from(await image.arrayBuffer()));

    expect(shown.width, 'the console had video at the click').toBeGreaterThan(0);
    expect({ width: still.width, height: still.height }).toEqual(shown);
    // The camera's 4:3 test card, possibly scaled down by the sender on a busy machine, never cropped.
    expect(still.width / still.height).toBeCloseTo(CARD.width / CARD.height, 1);
    expect(still.width).toBeLessThanOrEqual(CARD.width);
    // Not black, not blank: the card's quadrants, each in its own colour (centres only: edges blur).
    expect(lumaStdDev(still), 'a uniform (black or blank) picture').toBeGreaterThan(40);
    const quadrants = {
      topLeft: meanColour(still, 0.1, 0.1, 0.4, 0.4),
      topRight: meanColour(still, 0.6, 0.1, 0.9, 0.4),
      bottomLeft: meanColour(still, 0.1, 0.6, 0.4, 0.9),
      bottomRight: meanColour(still, 0.6, 0.6, 0.9, 0.9),
    };
    process.stdout.write(
      `snapshot ${still.width}x${still.height}, luma σ ${lumaStdDev(still).toFixed(1)}, quadrants ${JSON.stringify(Object.values(quadrants).map((q) => q.map(Math.round)))}\n`,
    );
    for (const [where, colour] of Object.entries(quadrants)) {
      const want = TEST_CARD[where as keyof typeof TEST_CARD];
      expect(colourDistance(colour, want), `${where}: got rgb(${colour.map(Math.round).join(',')}), want rgb(${want.join(',')})`).toBeLessThan(60);
    }
  });

  it('shows the caller location in the console', async () => {
    await caller.browser.defaultBrowserContext().overridePermissions(server.url, ['geolocation', 'camera']);
    await caller.page.setGeolocation({ latitude: 59.91273, longitude: 10.74609, accuracy: 12 });
    await caller.page.click(sel('share-location'));
    await waitFor('location shown', async () => (await c.text('caller-location')).includes('59.91273, 10.74609'));
  });

  it('brings video back by itself after the caller loses its connection to the server, publishing again from scratch', async () => {
    // DevTools' offline mode cuts the caller's HTTP and socket.io, not WebRTC's UDP: this is the signalling drop.
    const before = await inboundVideo(dispatcher.page);
    expect(before, 'video before the drop').toBeDefined();
    const cdp = await caller.page.createCDPSession();
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await c.waitStatus('reconnecting', 30_000);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await c.waitStatus('live', 30_000);
    await waitFor('caller live again', async () => (await callerStatus(caller.page)).startsWith('live'), 30_000);
    // Published again: the console decodes a new consumer (its own SSRC), not the old one's frames.
    await newVideoDecoding(dispatcher.page, before, 20_000);
    await framesKeepRising(dispatcher.page, 10, 20_000);
    await cdp.detach();
  });
});
