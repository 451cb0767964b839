import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { cameraTrackStates, failNextCameraOpen, failTorch, installCameraProbe } from '../support/cameraProbe.js';
import { sel } from '../support/flow.js';
import { startServer, type TestServer } from '../support/server.js';
import { card, framesKeepRising, liveSession } from '../support/session.js';

/**
 * A camera flip whose other camera will not open (busy: NotReadableError; missing or unable to meet
 * the constraints: OverconstrainedError), asked by the console or tapped by the caller: the picture
 * goes on from the camera the caller had, the console is told "flip failed: <reason>" and its frames
 * never stall for more than 3 s. The page's getUserMedia is wrapped so a test can make the next
 * opening reject (test/support/cameraProbe.ts).
 */
let server: TestServer;
let dispatcher: Device;
let caller: Device;
let c: ReturnType<typeof card>;

/** Longest time the console decoded no new frame, sampled in the page every 50 ms; and whether VIDEO LOST showed. */
async function startStallMeter(page: Page): Promise<() => Promise<{ longestGapMs: number; lostShown: boolean }>> {
  await page.evaluate(() => {
    const w = window as unknown as {
      __sightlineStats: () => Promise<RTCStatsReport | undefined>;
      __meter: { frames: number; at: number; longest: number; lost: boolean; timer: number };
    };
    const m: typeof w.__meter = { frames: 0, at: Date.now(), longest: 0, lost: false, timer: 0 };
    w.__meter = m;
    m.timer = window.setInterval(async () => {
      const report = await w.__sightlineStats();
      let frames = 0;
      report?.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') frames = Math.max(frames, s.framesDecoded ?? 0);
      });
      const now = Date.now();
      if (frames > m.frames) {
        m.frames = frames;
        m.at = now;
      }
      m.longest = Math.max(m.longest, now - m.at);
      if (document.querySelector('[data-testid="video-lost"]:not([hidden])')) m.lost = true;
    }, 50);
  });
  return () =>
    page.evaluate(() => {
      const m = (window as unknown as { __meter: { longest: number; lost: boolean; timer: number } }).__meter;
      clearInterval(m.timer);
      return { longestGapMs: m.longest, lostShown: m.lost };
    });
}

/** Runs a failing flip with the meter on, and checks what must hold after it. */
async function flipThatFails(trigger: () => Promise<void>, errorName: string): Promise<void> {
  await framesKeepRising(dispatcher.page);
  await failNextCameraOpen(caller.page, errorName);
  const stop = await startStallMeter(dispatcher.page);
  await trigger();
  const outcome = () => dispatcher.page.$eval(c.sel('control-reply'), (el) => el.getAttribute('data-outcome'));
  await waitFor('an answer', async () => (await outcome()) === 'failed', 15_000);
  // Frames keep coming after the answer (or do not: then the meter says how long they stopped).
  await framesKeepRising(dispatcher.page, 30).catch(() => undefined);
  const { longestGapMs, lostShown } = await stop();
  process.stdout.write(`flip failed (${errorName}): longest gap in the console's frames ${longestGapMs} ms; reply ${await c.text('control-reply')}\n`);
  expect(longestGapMs, 'the console frames stalled').toBeLessThan(3000);
  expect(lostShown, 'VIDEO LOST shown').toBe(false);
  expect(await c.text('control-reply')).toContain(`flip failed: ${errorName}`);
  // The caller streams from the back camera it had, and only one camera is open.
  expect(await c.text('caller-media')).toContain('camera: environment');
  const states = await cameraTrackStates(caller.page);
  expect(
    states.filter((s) => s === 'live'),
    `camera tracks ${states.join(',')}`,
  ).toHaveLength(1);
  const preview = await caller.page.$eval(
    sel('local-video'),
    (v) => ((v as HTMLVideoElement).srcObject as MediaStream | null)?.getVideoTracks()[0]?.readyState,
  );
  expect(preview, 'the caller sees the camera that streams').toBe('live');
}

beforeAll(async () => {
  server = await startServer();
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  await installCameraProbe(caller.page);
  ({ c } = await liveSession(dispatcher.page, caller.page, server.url));
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
});

describe('a camera flip whose new camera fails to open', () => {
  it('keeps the previous camera streaming when the console asks for a flip and the other camera is busy (NotReadableError)', async () => {
    await flipThatFails(() => dispatcher.page.click(c.sel('request-flip')), 'NotReadableError');
  });

  it('keeps the previous camera streaming when the caller taps flip and the other camera cannot be had (OverconstrainedError)', async () => {
    await flipThatFails(() => caller.page.click(sel('flip-camera')), 'OverconstrainedError');
  });

  it('stays paused through a failed flip, and the picture comes back on resume', async () => {
    await caller.page.click(sel('pause-video'));
    await waitFor('console sees the pause', async () => (await c.text('caller-media')).includes('PAUSED'));
    await failNextCameraOpen(caller.page, 'NotReadableError');
    await dispatcher.page.click(c.sel('request-flip'));
    await waitFor('the console told', async () => (await c.text('control-reply')).includes('flip failed: NotReadableError'), 15_000);
    expect(await c.text('caller-media')).toContain('PAUSED');
    expect(await caller.page.$eval(sel('caller-status'), (el) => el.getAttribute('data-state'))).toBe('paused');
    await caller.page.click(sel('pause-video'));
    await waitFor('console sees the resume', async () => !(await c.text('caller-media')).includes('PAUSED'));
    await framesKeepRising(dispatcher.page, 30);
    expect((await cameraTrackStates(caller.page)).filter((s) => s === 'live')).toHaveLength(1);
  });

  it('flips when the other camera opens after all, and says so when the torch then fails to switch', async () => {
    // Cameras opened from now on claim a torch that refuses to switch.
    await failTorch(caller.page, 'NotReadableError');
    await dispatcher.page.click(c.sel('request-flip'));
    await waitFor('flip done', async () => (await c.text('control-reply')).includes('Flip camera: done'), 15_000);
    await waitFor('front camera', async () => (await c.text('caller-media')).includes('camera: user'));
    await dispatcher.page.click(c.sel('request-torch-on'));
    await waitFor('the console told', async () => (await c.text('control-reply')).includes('torch on failed: NotReadableError'), 15_000);
    await framesKeepRising(dispatcher.page, 30);
    const states = await cameraTrackStates(caller.page);
    expect(
      states.filter((s) => s === 'live'),
      `camera tracks ${states.join(',')}`,
    ).toHaveLength(1);
  });
});
