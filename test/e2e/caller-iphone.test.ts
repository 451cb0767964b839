import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nb } from '../../client/src/caller/i18n/nb.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { callerStartsVideo, dispatcherCreatesSession, guideSteps, sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card } from '../support/session.js';

/**
 * Issue #10 kind 9, iPhone and iPad specifics. Photos: what reaches the server is a JPEG every
 * console browser shows, scaled down on the phone (a 12 MP, many-MB photo over a weak network is a
 * failure); a HEIC file never lands unseen. iPads: iPadOS sends a Mac's user agent, and must still
 * get the iOS help.
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let scratch: string;
let staff: string;
let sessionId: string;
let c: ReturnType<typeof card>;

/** The caller page's limits (client/src/caller/photo.ts), restated: the test must not follow a regression. */
const MAX_SIDE = 2048;
const MAX_BYTES = 900_000;

beforeAll(async () => {
  server = await startServer();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'sightline-iphone-'));
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  staff = await login(server);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A photo like a phone camera's: 12 MP (4032×3024) of fine detail, so it is several MB as JPEG or PNG. */
async function cameraPhoto(name: string, codec: 'mjpeg' | 'png'): Promise<string> {
  const file = path.join(scratch, name);
  const args = ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=4032x3024,noise=alls=30:allf=t', '-frames:v', '1'];
  await writeFile(
    file,
    execFileSync('ffmpeg', [...args, ...(codec === 'mjpeg' ? ['-q:v', '2'] : []), '-c:v', codec, '-f', 'image2pipe', 'pipe:1'], { maxBuffer: 256 << 20 }),
  );
  return file;
}

/** Width, height and codec of an image, as ffprobe reads it. */
function probe(file: string): { width: number; height: number; codec: string } {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' })) as {
    streams: { width: number; height: number; codec_name: string }[];
  };
  const s = out.streams[0]!;
  return { width: s.width, height: s.height, codec: s.codec_name };
}

async function callerSnapshots(): Promise<{ name: string; bytes: number }[]> {
  const r = await http('GET', `${server.url}/api/sessions/${sessionId}/snapshots`, { token: staff });
  return (r.body.snapshots as { name: string; bytes: number; source: string }[]).filter((s) => s.source === 'caller');
}

async function upload(page: Page, file: string): Promise<void> {
  await page.$eval('#extras-note', (el) => (el.textContent = ''));
  const input = (await page.$(sel('photo-upload'))) as ElementHandle<HTMLInputElement> | null;
  await input!.uploadFile(file);
}

describe('caller photos', () => {
  it('scales a 12 MP photo down on the phone to a small JPEG that reaches the console and shows there', async () => {
    ({ sessionId } = await dispatcherCreatesSession(dispatcher.page, server.url).then(async (s) => {
      await callerStartsVideo(caller.page, s.inviteUrl);
      return s;
    }));
    c = card(dispatcher.page, sessionId);
    await waitFor('caller live', async () => (await callerStatus(caller.page)) === 'live', 20_000);

    const photo = await cameraPhoto('camera.jpg', 'mjpeg');
    const sent = (await stat(photo)).size;
    expect(sent, 'the test photo should be many MB, like a phone camera photo').toBeGreaterThan(4_000_000);
    await upload(caller.page, photo);
    await waitFor('photo sent', () => caller.page.$eval('#extras-note', (el, want) => el.textContent === want, nb.photoSent), 30_000);

    const [snap] = await callerSnapshots();
    expect(snap, 'one caller photo on the server').toBeDefined();
    console.info(`caller photo: ${sent} bytes from the camera, ${snap!.bytes} bytes uploaded`);
    expect(snap!.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(snap!.name).toMatch(/\.jpeg$/);
    const file = path.join(scratch, 'received.jpeg');
    const res = await fetch(`${server.url}/api/sessions/${sessionId}/snapshots/${snap!.name}`, { headers: { authorization: `Bearer ${staff}` } });
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    // Same shape, long side capped: 4032×3024 → 2048×1536.
    expect(probe(file)).toEqual({ width: MAX_SIDE, height: 1536, codec: 'mjpeg' });

    // The console shows it: its <img> decodes to the photo's size.
    const shown = `${c.sel('snapshot-item')}[data-source="caller"] img`;
    await waitFor('the photo shown on the card', () =>
      dispatcher.page
        .$eval(shown, (img) => {
          img.scrollIntoView();
          return (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth;
        })
        .catch(() => 0),
    ).then((w) => expect(w).toBe(MAX_SIDE));
    expect(await c.timeline()).toContain('photo_uploaded');
  });

  it('sends a large PNG (a screenshot) as a small JPEG too', async () => {
    const png = await cameraPhoto('screen.png', 'png');
    expect((await stat(png)).size).toBeGreaterThan(4_000_000);
    await upload(caller.page, png);
    await waitFor('photo sent', () => caller.page.$eval('#extras-note', (el, want) => el.textContent === want, nb.photoSent), 30_000);
    const snaps = await callerSnapshots();
    expect(snaps).toHaveLength(2);
    expect(snaps[1]!.name).toMatch(/\.jpeg$/);
    expect(snaps[1]!.bytes).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('does not list HEIC (so iOS hands over a JPEG), and a HEIC file never lands unseen', async () => {
    expect(await caller.page.$eval(sel('photo-upload'), (el) => (el as HTMLInputElement).accept.split(',').sort())).toEqual([
      'image/jpeg',
      'image/png',
      'image/webp',
    ]);

    // A HEIC file this browser cannot read (as a desktop or Android browser cannot): the caller is
    // told it was not sent, and nothing is uploaded.
    const heic = path.join(scratch, 'IMG_0001.HEIC');
    await writeFile(heic, Buffer.concat([Buffer.from('\0\0\0\x1cftypheic\0\0\0\0mif1heicmiaf', 'latin1'), Buffer.alloc(4000, 1)]));
    await upload(caller.page, heic);
    await waitFor('photo not sent', () => caller.page.$eval('#extras-note', (el, want) => el.textContent === want, nb.trouble.photo), 30_000);
    expect(await callerSnapshots()).toHaveLength(2);

    // Sent straight to the server (an old page, another client): refused, saying why.
    const token = await caller.page.evaluate(() => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('sightline.invite.'))!;
      return (JSON.parse(sessionStorage.getItem(key)!) as { token: string }).token;
    });
    for (const type of ['image/heic', 'image/jpeg']) {
      const res = await fetch(`${server.url}/api/sessions/${sessionId}/photos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body: Buffer.concat([Buffer.from('\0\0\0\x1cftypheic\0\0\0\0mif1heicmiaf', 'latin1'), Buffer.alloc(4000, 1)]),
      });
      expect(res.status, type).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, type).toMatch(/HEIC.*cannot be shown.*JPEG/);
    }
    expect(await callerSnapshots()).toHaveLength(2);
  });
});

describe('iPads', () => {
  const MAC_SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

  /** A fresh tab with a Mac's user agent, `touchPoints` touch points and a blocked camera; resolves with the help shown. */
  async function helpOn(touchPoints: number): Promise<{ help: string; maxTouchPoints: number }> {
    const page = await caller.browser.newPage();
    try {
      await page.setUserAgent({ userAgent: MAC_SAFARI, platform: 'MacIntel' });
      const cdp = await page.createCDPSession();
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: touchPoints > 0, maxTouchPoints: Math.max(1, touchPoints) });
      await page.evaluateOnNewDocument(() => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      });
      const { inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
      await callerStartsVideo(page, inviteUrl);
      await waitFor('camera_denied', async () => (await callerStatus(page)) === 'camera_denied');
      return {
        help: (await guideSteps(page)).join(' '),
        maxTouchPoints: await page.evaluate(() => navigator.maxTouchPoints),
      };
    } finally {
      await page.close();
    }
  }

  it('gives an iPad that sends a Mac user agent the iOS help, and a real Mac the generic help', async () => {
    expect(await helpOn(5)).toEqual({ help: nb.guide.ios.join(' '), maxTouchPoints: 5 });
    expect(await helpOn(0)).toEqual({ help: nb.guide.other.join(' '), maxTouchPoints: 0 });
  });
});
