import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { openConsole, sel, viewerWatches } from '../support/flow.js';
import { http, login, REPO_ROOT, startServer, type TestServer } from '../support/server.js';
import { card, framesKeepRising, liveSession } from '../support/session.js';

/**
 * Issue #15 §1, "show me": the dispatcher's picture on the caller's phone, through the whole stack
 * (console → SFU → caller page and viewer page), with the dispatcher's (fake) camera and with a clip
 * added by `sightline clip add` (made here with ffmpeg: the repository ships none). The console keeps
 * decoding the caller's video all the while; the caller's downlink stays under 300 kbit/s.
 */
let dataDir: string;
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let viewer: Device;
let sessionId: string;
let c: ReturnType<typeof card>;
const CLIP = 'cpr-hands';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(REPO_ROOT, 'server/bin/sightline.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-showme-'));
  const source = path.join(dataDir, 'demo.mp4');
  execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15', '-t', '4', '-pix_fmt', 'yuv420p', source]);
  server = await startServer({ DATA_DIR: dataDir });
  [dispatcher, caller, viewer] = await Promise.all([launchDevice(), launchDevice({ mobile: true }), launchDevice({ mobile: true })]);
  await dispatcher.page.setViewport({ width: 1280, height: 720 });
}, 60_000);

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close(), viewer?.close()]);
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Frames the caller page's `dispatcher-video` has shown so far. */
const insetFrames = (page: Page, testid = 'dispatcher-video') =>
  page.$eval(sel(testid), (v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);

async function insetDecodes(page: Page, testid = 'dispatcher-video', by = 15): Promise<void> {
  await page.waitForSelector(sel(testid), { visible: true, timeout: 20_000 });
  const start = await insetFrames(page, testid);
  await waitFor(`${testid} frames rising past ${start + by}`, async () => (await insetFrames(page, testid)) > start + by, 20_000, 200);
}

/** The caller's inbound show-me bytes and when (from the page's RTCStats). */
const inbound = (page: Page) =>
  page.evaluate(async () => {
    const hook = (window as unknown as { __sightlineShowMeStats?: () => Promise<RTCStatsReport | undefined> }).__sightlineShowMeStats;
    let sample: { bytes: number; at: number; fps: number } | undefined;
    (await hook?.())?.forEach((s: { type: string; kind?: string; bytesReceived?: number; timestamp: number; framesPerSecond?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') sample = { bytes: s.bytesReceived ?? 0, at: s.timestamp, fps: s.framesPerSecond ?? 0 };
    });
    return sample;
  });

async function events(): Promise<{ type: string; details?: Record<string, unknown> }[]> {
  const r = await http('GET', `${server.url}/api/sessions/${sessionId}`, { token: await login(server) });
  return r.body.events;
}

const showMeLog = async () =>
  (await events()).filter((e) => e.type.startsWith('show_me_')).map((e) => `${e.type}:${String(e.details?.['source'])}:${String(e.details?.['reason'] ?? '')}`);

describe('sightline clip add', () => {
  it('keeps a playable clip and refuses a bad file or name with a clear error, losing nothing', async () => {
    const ok = cli('clip', 'add', path.join(dataDir, 'demo.mp4'), '--name', CLIP);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/added clip cpr-hands: 4\.\d s/);
    const junk = path.join(dataDir, 'junk.mp4');
    await writeFile(junk, 'this is not a video');
    const bad = cli('clip', 'add', junk, '--name', 'junk');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/clip not added: cannot read .*junk\.mp4 as a video/);
    expect(cli('clip', 'add', path.join(dataDir, 'demo.mp4'), '--name', 'Bad Name').stderr).toMatch(/not a clip name/);
    expect(cli('clip', 'add', path.join(dataDir, 'demo.mp4'), '--name', CLIP).status).toBe(1);
    expect((await readdir(path.join(dataDir, 'clips'))).sort()).toEqual(['cpr-hands.json', 'cpr-hands.webm']);
    const listed = await http('GET', `${server.url}/api/clips`, { token: await login(server) });
    expect(listed.body.clips).toEqual([expect.objectContaining({ name: CLIP })]);
  });
});

describe('show me', () => {
  beforeAll(async () => {
    ({ sessionId, c } = await liveSession(dispatcher.page, caller.page, server.url, { timeoutMs: 30_000 }));
  }, 60_000);

  it("shows the dispatcher's camera on the caller's phone while the console keeps decoding the caller, under 300 kbit/s", async () => {
    expect(await caller.page.$eval('#dispatcher-picture', (el) => (el as HTMLElement).hidden)).toBe(true);
    await dispatcher.page.select(c.sel('show-me-source'), 'camera');
    await dispatcher.page.click(c.sel('show-me-button'));
    await insetDecodes(caller.page);
    await framesKeepRising(dispatcher.page, 10);
    expect(await dispatcher.page.$eval(c.sel('show-me-button'), (b) => b.getAttribute('aria-pressed'))).toBe('true');

    // The caller's downlink: what arrives over five seconds, after the start-up.
    await new Promise((r) => setTimeout(r, 3000));
    const a = (await inbound(caller.page))!;
    await new Promise((r) => setTimeout(r, 5000));
    const b = (await inbound(caller.page))!;
    const kbps = ((b.bytes - a.bytes) * 8) / (b.at - a.at);
    console.log(`show-me (camera) received by the caller: ${kbps.toFixed(0)} kbit/s, ${b.fps} fps`);
    expect(kbps).toBeGreaterThan(20);
    expect(kbps).toBeLessThanOrEqual(315);
    expect(b.fps).toBeLessThanOrEqual(16);
    await waitFor('show_me_started in the log', async () => (await showMeLog()).includes('show_me_started:camera:'));
  });

  it('shows the viewer what the caller is shown', async () => {
    const invite = await http('POST', `${server.url}/api/sessions/${sessionId}/viewers`, { token: await login(server), body: {} });
    await viewerWatches(viewer.page, invite.body.inviteUrl as string);
    await insetDecodes(viewer.page, 'viewer-show-me-video');
  });

  it('switches to a clip of the centre, on the caller and the viewer, and logs the switch', async () => {
    await dispatcher.page.select(c.sel('show-me-source'), CLIP);
    await waitFor('the clip started', async () => (await showMeLog()).includes(`show_me_started:${CLIP}:`));
    expect(await showMeLog()).toContain('show_me_ended:camera:replaced');
    await insetDecodes(caller.page);
    await insetDecodes(viewer.page, 'viewer-show-me-video');
    await framesKeepRising(dispatcher.page, 10);
    await waitFor('the viewer names the clip', () => viewer.page.$eval(sel('viewer-show-me'), (el, clip) => el.textContent?.includes(clip), CLIP));
    const a = (await inbound(caller.page))!;
    await new Promise((r) => setTimeout(r, 6000));
    const b = (await inbound(caller.page))!;
    const kbps = ((b.bytes - a.bytes) * 8) / (b.at - a.at);
    console.log(`show-me (clip) received by the caller: ${kbps.toFixed(0)} kbit/s, ${b.fps} fps`);
    expect(kbps).toBeLessThanOrEqual(315);
  });

  it('fits the phone and stays accessible with the picture inset', async () => {
    expect(await caller.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const close = await caller.page.$eval(sel('dispatcher-video-close'), (b) => b.getBoundingClientRect().height);
    expect(close).toBeGreaterThanOrEqual(44);
    const axe = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await caller.page.evaluate(axe);
    const serious = await caller.page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run: (d: Document) => Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run(document);
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
    });
    expect(serious).toEqual([]);
  });

  it('lets the caller close it: receiving stops, the showing ends for everyone, the console is told', async () => {
    await caller.page.click(sel('dispatcher-video-close'));
    await waitFor('the inset gone', () => caller.page.$eval('#dispatcher-picture', (el) => (el as HTMLElement).hidden));
    expect(await inbound(caller.page)).toBeUndefined();
    await waitFor('show_me_ended caller_closed', async () => (await showMeLog()).includes(`show_me_ended:${CLIP}:caller_closed`));
    await waitFor('the console button back to Show me', () =>
      dispatcher.page.$eval(c.sel('show-me-button'), (b) => b.getAttribute('aria-pressed') === 'false'),
    );
    expect(await dispatcher.page.$eval(`${c.scope} .show-me-note`, (el) => el.textContent)).toContain('The caller closed the picture');
    await waitFor('the viewer inset gone', () => viewer.page.$eval(sel('viewer-show-me'), (el) => (el as HTMLElement).hidden));
    await framesKeepRising(dispatcher.page, 10);
  });

  it("refuses a caller token's attempt to produce as the dispatcher, at the gate", async () => {
    const token = await caller.page.evaluate(() => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('sightline.invite.'));
      return key ? (JSON.parse(sessionStorage.getItem(key)!) as { token: string }).token : undefined;
    });
    expect(token).toBeTruthy();
    const s = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      const ask = (event: string, payload: unknown) => s.timeout(10_000).emitWithAck(event, payload) as Promise<{ ok: boolean; error?: { code: string } }>;
      const send = (await ask('transport:create', { sessionId, direction: 'send' })) as { ok: boolean; data?: { id: string } };
      const rtpParameters = { mid: '9', codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 9999 }] };
      const refused = await ask('show-me:produce', { sessionId, transportId: send.data!.id, source: 'camera', rtpParameters });
      expect(refused.error?.code).toBe('forbidden');
      // Nor through the caller's own message with the dispatcher's source: the schema has no such source.
      const sneaky = await ask('media:produce', { sessionId, transportId: send.data!.id, kind: 'video', source: 'show_me', rtpParameters });
      expect(sneaky.error?.code).toBe('bad_request');
    } finally {
      s.disconnect();
    }
    expect((await showMeLog()).filter((l) => l.startsWith('show_me_started'))).toHaveLength(2);
  });

  it('ends with the dispatcher stop, the console going away, and the session ending, each logged', async () => {
    await dispatcher.page.click(c.sel('show-me-button'));
    await insetDecodes(caller.page);
    await dispatcher.page.click(c.sel('show-me-button'));
    await waitFor('stopped', async () => (await showMeLog()).some((l) => l.endsWith(':stopped')));
    await waitFor('the inset gone', () => caller.page.$eval('#dispatcher-picture', (el) => (el as HTMLElement).hidden));

    await dispatcher.page.click(c.sel('show-me-button'));
    await insetDecodes(caller.page);
    await openConsole(dispatcher.page, server.url); // a reload: the console's socket and transports go
    await waitFor('console_left', async () => (await showMeLog()).some((l) => l.endsWith(':console_left')), 20_000);
    await waitFor('the inset gone', () => caller.page.$eval('#dispatcher-picture', (el) => (el as HTMLElement).hidden));

    await dispatcher.page.waitForSelector(c.sel('show-me-button'), { visible: true });
    await c.waitStatus('live', 30_000);
    await dispatcher.page.click(c.sel('show-me-button'));
    await insetDecodes(caller.page);
    await c.end();
    await waitFor('session_ended', async () => (await showMeLog()).some((l) => l.endsWith(':session_ended')), 20_000);
    // Never taken for the caller's video: no status change, no media record of it.
    const log = await events();
    expect(log.map((e) => e.type)).not.toContain('reconnecting');
    expect(log.filter((e) => e.type === 'media_started').map((e) => e.details?.['source'])).not.toContain('show_me');
  });
});
