import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { openConsole, viewerWatches } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { framesKeepRising, liveSession } from '../support/session.js';

/**
 * Issue #14 section 2, "a media question to settle here": receivers that join late (a console
 * reload, a viewer, the recorder's ffmpeg) must get a key frame within 2 s from a caller on each of
 * mediasoup-client's send handlers: Safari12 (every iPhone; here Chromium with an iPhone user agent,
 * which is what makes mediasoup-client pick it) and Chrome111 (Android). A Firefox120 caller passed the
 * same steps here once (VP8: 112 ms, 1198 ms, 312 ms) but not reliably on a loaded two-core machine,
 * so it is left out; test/e2e/firefox-caller.test.ts covers that engine. The caller has
 * been live for seconds first, so its first key frame is long gone and each late receiver needs its
 * own, asked for over RTCP (PLI/FIR) through mediasoup. The counts the caller's own sender reports
 * (pliCount, firCount, keyFramesEncoded) show the requests arriving and being answered.
 */
const IPHONE_SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const ANDROID_CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
/** A late receiver's budget from its consumer existing to its first decoded frame (the 2 s). */
const KEY_FRAME_BUDGET_MS = 2000;

const run = promisify(execFile);
let server: TestServer;
let dataDir: string;
let staff: string;
const devices: Device[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-keyframes-'));
  // On demand: the recorder's consumer, too, joins long after the caller's first key frame.
  server = await startServer({ RECORDING_POLICY: 'on-demand', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  staff = await login(server);
});

afterAll(async () => {
  await Promise.all(devices.map((d) => d.close()));
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Keeps the caller page's peer connections in reach, and has mediasoup-client say which handler it picked. */
const WATCH_CALLER = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native { constructor(...a) { super(...a); window.__pcs.push(this); } };
  try { localStorage.setItem('debug', 'mediasoup-client:Device'); } catch {}
})();`;

interface SenderView {
  pli: number;
  fir: number;
  keyFrames: number;
  maxBitrate?: number;
  maxFramerate?: number;
}

/** The caller's live video sender, as its own browser sees it. */
async function callerSender(page: Page): Promise<SenderView> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    let best: SenderView = { pli: 0, fir: 0, keyFrames: 0 };
    for (const pc of pcs) {
      for (const sender of pc.getSenders()) {
        if (sender.track?.kind !== 'video') continue;
        let out: { pliCount?: number; firCount?: number; keyFramesEncoded?: number; framesEncoded?: number } | undefined;
        (await sender.getStats()).forEach((s: { type: string; pliCount?: number; firCount?: number; keyFramesEncoded?: number; framesEncoded?: number }) => {
          if (s.type === 'outbound-rtp') out = s;
        });
        if (!out?.framesEncoded) continue;
        const e = sender.getParameters().encodings[0] as RTCRtpEncodingParameters & { maxFramerate?: number };
        best = {
          pli: out.pliCount ?? 0,
          fir: out.firCount ?? 0,
          keyFrames: out.keyFramesEncoded ?? 0,
          maxBitrate: e?.maxBitrate,
          maxFramerate: e?.maxFramerate,
        };
      }
    }
    return best;
  }) as Promise<SenderView>;
}

/**
 * Notes, in a receiver page, when its first remote picture shows (a `<video>` with a size, which
 * only a decoded frame gives it), on the same clock as the page's `sightline:consumer-created` mark.
 */
const WATCH_FIRST_FRAME = `(() => {
  const timer = setInterval(() => {
    if ([...document.querySelectorAll('video')].some((v) => v.videoWidth > 0)) {
      window.__firstFrameAt = performance.now();
      clearInterval(timer);
    }
  }, 10);
})();`;

/** Waits until the page shows a picture; resolves with ms from its (last) video consumer's creation to its first frame. */
async function consumerToFirstFrame(page: Page): Promise<number> {
  return waitFor(
    'a decoded frame',
    () =>
      page.evaluate(() => {
        const at = (window as unknown as { __firstFrameAt?: number }).__firstFrameAt;
        const created = performance.getEntriesByName('sightline:consumer-created').at(-1)?.startTime;
        return at !== undefined && created !== undefined ? Math.max(0, at - created) + 1 : undefined;
      }),
    20_000,
    50,
  ).then((ms) => Math.round(ms - 1));
}

/** Width and height of the first video stream of a (possibly still growing) recording, as ffprobe reads it. */
async function probeVideo(file: string): Promise<{ width: number; height: number } | undefined> {
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'json', file]);
    const s = (JSON.parse(stdout) as { streams?: { width?: number; height?: number }[] }).streams?.[0];
    return s?.width && s.height ? { width: s.width, height: s.height } : undefined;
  } catch {
    return undefined;
  }
}

/** `keyFrameMs` of the server's "recording segment writing" line for the session's first segment. */
function recorderWaitedMs(sessionId: string): number | undefined {
  for (const line of server.output().split('\n')) {
    if (!line.includes('recording segment writing') || !line.includes(sessionId)) continue;
    return (JSON.parse(line) as { keyFrameMs: number }).keyFrameMs;
  }
  return undefined;
}

const CASES = [
  { name: 'iPhone Safari', handler: 'Safari12', launch: () => launchDevice({ mobile: true }), userAgent: IPHONE_SAFARI },
  { name: 'Android Chrome', handler: 'Chrome111', launch: () => launchDevice({ mobile: true }), userAgent: ANDROID_CHROME },
] as const;

describe.each(CASES)('a caller on $name ($handler handler)', ({ handler, launch, userAgent }) => {
  let dispatcher: Device;
  let caller: Device;
  let viewer: Device;
  let sessionId: string;
  let before: SenderView;
  const handlers: string[] = [];

  beforeAll(async () => {
    [dispatcher, caller, viewer] = await Promise.all([launchDevice(), launch(), launchDevice()]);
    devices.push(dispatcher, caller, viewer);
    await Promise.all([dispatcher.page.evaluateOnNewDocument(WATCH_FIRST_FRAME), viewer.page.evaluateOnNewDocument(WATCH_FIRST_FRAME)]);
    caller.page.on('console', (m) => {
      const found = /using (\w+) handler/.exec(m.text());
      if (found) handlers.push(found[1]!);
    });
    if (userAgent) await caller.page.setUserAgent(userAgent);
    await caller.page.evaluateOnNewDocument(WATCH_CALLER);
    ({ sessionId } = await liveSession(dispatcher.page, caller.page, server.url));
    await framesKeepRising(dispatcher.page);
    // Long enough that the caller's first key frame is history for anyone joining now.
    await new Promise((r) => setTimeout(r, 3000));
    before = await callerSender(caller.page);
  });

  it(`publishes through mediasoup-client's ${handler} handler, with the camera's bitrate and frame-rate ceilings on the phone's own sender`, async () => {
    expect(new Set(handlers)).toEqual(new Set([handler]));
    // The Safari handler only signals encodings to the server; the page puts them on the sender itself.
    expect(before).toMatchObject({ maxBitrate: 1_500_000, maxFramerate: 30 });
  });

  it('a console reloaded mid-call decodes its first frame within 2 s of consuming', async () => {
    await openConsole(dispatcher.page, server.url);
    const ms = await consumerToFirstFrame(dispatcher.page);
    console.info(`${handler}: reloaded console, consumer to first frame ${ms} ms`);
    expect(ms).toBeLessThan(KEY_FRAME_BUDGET_MS);
  });

  it('a viewer who joins mid-call decodes its first frame within 2 s of consuming', async () => {
    const invite = await http('POST', `${server.url}/api/sessions/${sessionId}/viewers`, { token: staff, body: {} });
    expect(invite.status).toBe(201);
    await viewerWatches(viewer.page, invite.body.inviteUrl as string);
    const ms = await consumerToFirstFrame(viewer.page);
    console.info(`${handler}: viewer, consumer to first frame ${ms} ms`);
    expect(ms).toBeLessThan(KEY_FRAME_BUDGET_MS);
  });

  it('the recorder gets its first key frame within 2 s of asking, and its segment holds decodable video', async () => {
    const started = await http('POST', `${server.url}/api/sessions/${sessionId}/recording`, { token: staff, body: { action: 'start' } });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    // ffmpeg writes nothing before a key frame; the server logs how long its recorder waited for one.
    const waited = await waitFor('the recorder writing', async () => recorderWaitedMs(sessionId), 10_000, 100);
    const file = path.join(dataDir, 'sessions', sessionId, 'recordings', 'segment-0001.mkv');
    const size = await waitFor('a picture size in the segment', () => probeVideo(file), 10_000, 100);
    console.info(`${handler}: recorder key frame after ${waited} ms (to within ffmpeg's 0.5 s progress period); ${size.width}x${size.height} on disk`);
    expect(waited).toBeLessThan(KEY_FRAME_BUDGET_MS);
    expect(size.width).toBeGreaterThan(0);
    await http('POST', `${server.url}/api/sessions/${sessionId}/recording`, { token: staff, body: { action: 'stop' } });

    // Evidence that each late receiver's request reached the phone and was answered with a key frame.
    const after = await callerSender(caller.page);
    console.info(`${handler}: caller sender PLI ${before.pli}→${after.pli}, FIR ${before.fir}→${after.fir}, key frames ${before.keyFrames}→${after.keyFrames}`);
    expect(after.pli + after.fir).toBeGreaterThan(before.pli + before.fir);
    expect(after.keyFrames).toBeGreaterThanOrEqual(before.keyFrames + 3);
  });
});
