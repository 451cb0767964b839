import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Language } from '@sightline/shared';
import type { ElementHandle } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesDecoded, launchDevice, waitFor, type Device } from '../support/browser.js';
import { callerStartsVideo, dispatcherCreatesSession, sel } from '../support/flow.js';
import { DEMO_PASSWORD, freePort, http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card, framesKeepRising } from '../support/session.js';
import { loadText } from '../../client/src/caller/i18n/index.js';

/**
 * The parts of a session card and of the caller page that README "Dispatcher console" and
 * "Caller page" promise and no other test drives: the hint saying why there is no video yet, the
 * link to copy and to resend by SMS, live media figures, the caller's pause (black-out) as both
 * sides see it, fullscreen, a photo sent from the caller page, and a viewer's chat.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let scratch: string;
let sessionId: string;
let inviteUrl: string;
let c: ReturnType<typeof card>;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'sightline-console-card-'));
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Mean brightness (0–255) of the frame the console's video element shows now. */
const brightness = () =>
  dispatcher.page.$eval(c.sel('remote-video'), (v) => {
    const video = v as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(video, 0, 0);
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) sum += (px[i]! + px[i + 1]! + px[i + 2]!) / 3;
    return sum / (px.length / 4);
  });
const hint = () => dispatcher.page.$eval(`${c.scope} .hint`, (el) => el.textContent ?? '');
const buttonIn = (label: string) =>
  dispatcher.page.evaluateHandle((scope, text) => Array.from(document.querySelectorAll(`${scope} button`)).find((b) => b.textContent === text), c.scope, label);

describe('the session card before video', () => {
  it('says why there is no video yet, and follows the session', async () => {
    ({ sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url, { incident: 'INC-CARD' }));
    c = card(dispatcher.page, sessionId);
    await c.waitStatus('sms_sent');
    await waitFor('the waiting hint', async () => (await hint()).includes('waiting for the caller to open it'));
    expect(await c.text('media-stats')).toBe('no video yet');
    await caller.page.goto(inviteUrl);
    await waitFor('the opened hint', async () => (await hint()) === 'caller opened the link');
  });

  it('copies the invite link to the clipboard and resends it by SMS', async () => {
    await dispatcher.browser.defaultBrowserContext().overridePermissions(server.url, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
    const copy = await buttonIn('Copy link');
    expect(copy.asElement(), 'a Copy link button').not.toBeNull();
    await (copy.asElement() as ElementHandle<Element>).click();
    const copied = await waitFor('the clipboard', () => dispatcher.page.evaluate(() => navigator.clipboard.readText()).then((t) => t || undefined));
    expect(copied).toBe(inviteUrl);

    const printedBefore = server.output().split(inviteUrl).length - 1;
    await dispatcher.page.click(c.sel('resend-sms'));
    await waitFor('sms_resend on the timeline', async () => (await c.timeline()).includes('sms_resend'));
    // The console SMS provider printed the same link once more.
    await waitFor('the link printed again', async () => server.output().split(inviteUrl).length - 1 > printedBefore);
  });
});

describe('a live card and the caller page', () => {
  it('shows live media figures: bitrate, resolution, fps, loss and RTT', async () => {
    await callerStartsVideo(caller.page, inviteUrl);
    await c.waitStatus('live');
    const stats = await waitFor('media figures', async () => {
      const t = await c.text('media-stats');
      return /^\d+ kbit\/s · \d+×\d+ · \d+ fps · loss [\d.]+%( · RTT \d+ ms)?$/.test(t) && !t.startsWith('0 kbit/s') ? t : undefined;
    });
    const [w, h] = /(\d+)×(\d+)/.exec(stats)!.slice(1).map(Number);
    const shown = await dispatcher.page.$eval(c.sel('remote-video'), (v) => [(v as HTMLVideoElement).videoWidth, (v as HTMLVideoElement).videoHeight]);
    expect([w, h]).toEqual(shown);
    expect(await hint()).toBe('live');
  });

  it('pauses the caller picture (black-out) at the caller tap, tells the console, and resumes', async () => {
    await caller.page.click(sel('pause-video'));
    await waitFor('caller paused', async () => (await callerStatus(caller.page)).startsWith('paused'));
    await waitFor('console told', async () => (await c.text('caller-media')).includes('PAUSED by caller'));
    // The console's picture goes black (the fake camera's own picture is far from it).
    await waitFor('a black picture on the console', async () => (await brightness()) < 8);
    await caller.page.click(sel('pause-video'));
    await waitFor('console told of the resume', async () => !(await c.text('caller-media')).includes('PAUSED'));
    await framesKeepRising(dispatcher.page);
    await waitFor('the picture back', async () => (await brightness()) > 30);
  });

  it('shows the live picture fullscreen', async () => {
    await dispatcher.page.click(c.sel('fullscreen'));
    await waitFor('fullscreen', () => dispatcher.page.evaluate(() => document.fullscreenElement !== null));
    expect(await dispatcher.page.evaluate(() => document.fullscreenElement?.querySelector('[data-testid="remote-video"]') !== null)).toBe(true);
    await dispatcher.page.evaluate(() => document.exitFullscreen());
  });

  it('takes a photo from the caller page into the session, listed on the card', async () => {
    const photo = path.join(scratch, 'photo.jpg');
    await writeFile(
      photo,
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=green:s=96x64', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1']),
    );
    const before = (await dispatcher.page.$$(c.sel('snapshot-item'))).length;
    const input = (await caller.page.$(sel('photo-upload'))) as ElementHandle<HTMLInputElement> | null;
    await input!.uploadFile(photo);
    await waitFor('photo listed on the card', async () => (await dispatcher.page.$$(c.sel('snapshot-item'))).length === before + 1);
    const list = await http('GET', `${server.url}/api/sessions/${sessionId}/snapshots`, { token: await login(server) });
    expect(list.body.snapshots.filter((s: { source: string }) => s.source === 'caller')).toHaveLength(1);
    expect(await c.timeline()).toContain('photo_uploaded');
  });

  it("lets an invited viewer chat, shown to the caller as the viewer's, not the dispatcher's", async () => {
    await dispatcher.page.click(c.sel('invite-viewer'));
    const viewerUrl = await waitFor('viewer link', async () => (await c.text('viewer-url')) || undefined);
    const viewer = await launchDevice();
    try {
      await viewer.page.goto(viewerUrl);
      await viewer.page.waitForSelector(`main.viewer ${sel('start-video')}`);
      await viewer.page.click(`main.viewer ${sel('start-video')}`);
      await waitFor('viewer decodes video', async () => (await framesDecoded(viewer.page)) > 10);
      await viewer.page.type(sel('chat-input'), 'Ambulance 12 watching, ETA 4 min');
      await viewer.page.click(sel('chat-send'));
      await waitFor('console sees the viewer', () =>
        dispatcher.page.$eval(`${c.scope} .chat-log`, (el) => el.textContent?.includes('Ambulance 12 watching, ETA 4 min')),
      );
      await waitFor('caller sees the viewer', () => caller.page.$eval(sel('chat-log'), (el) => el.textContent?.includes('Ambulance 12 watching, ETA 4 min')));
      // Who wrote it, by role (issue #11): the caller page's label for a viewer, never the dispatcher's.
      const said = await caller.page.$$eval(`${sel('chat-log')} li`, (els) =>
        els.map((el) => ({ from: el.getAttribute('data-from'), label: el.querySelector('.chat-from')?.textContent })),
      );
      const lang = await caller.page.evaluate(() => document.documentElement.lang);
      const words = await loadText(lang as Language);
      expect(said.at(-1)).toEqual({ from: 'viewer', label: words.from.viewer });
      expect(words.from.viewer).not.toBe(words.from.dispatcher);
    } finally {
      await viewer.close();
    }
  });

  it('ends, and the supervisor view shows the media quality of the call stream by stream', async () => {
    await c.end();
    await c.waitStatus('ended');
    const supervisor = await launchDevice();
    try {
      const page = supervisor.page;
      await page.goto(`${server.url}/audit`);
      await page.waitForSelector(sel('login-username'), { visible: true });
      await page.type(sel('login-username'), 'supervisor');
      await page.type(sel('login-password'), DEMO_PASSWORD);
      await page.click(sel('login-submit'));
      await page.waitForSelector(`${sel('session-row')}[data-session-id="${sessionId}"]`, { visible: true });
      await page.click(`${sel('session-row')}[data-session-id="${sessionId}"]`);
      const rows = await waitFor('quality rows', async () => {
        const r = await page.$$eval(`${sel('quality-summary')} li`, (els) => els.map((e) => e.textContent ?? '')).catch(() => []);
        return r.length ? r : undefined;
      });
      // "video VP8: 12 s, avg 900 kbit/s, min score 10": a real stream has a length, a rate and a score.
      const video = rows.find((r) => r.startsWith('video '));
      expect(video, rows.join(' | ')).toMatch(/^video (video\/)?(VP8|H264)\S*: [1-9]\d* s, avg [1-9]\d* kbit\/s, min score \d+$/i);
    } finally {
      await supervisor.close();
    }
  });
});
