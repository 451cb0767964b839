import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeMedia } from '../../server/src/testing/media.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { withoutVideoCodecs } from '../support/codecs.js';
import { callerStartsVideo, dispatcherCreatesSession, openConsole, sel } from '../support/flow.js';
import { http, login, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card, liveSession } from '../support/session.js';

/**
 * Issue #10, kind 5: a receiver whose browser cannot decode the caller's codec. "A browser without
 * H264" is Chromium with H264 taken out of its offers, capabilities and remote descriptions
 * (test/support/codecs.ts). Every receiver must get video (the caller sends a codec all of them
 * play), within 15 s, or see in words within 5 s why it cannot. Recording runs throughout
 * (`RECORDING_POLICY=always`) and must survive the codec change.
 */
let server: TestServer;
let dir: string;
const devices: Device[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-codec-'));
  server = await startServer({ RECORDING_POLICY: 'always' });
});

// Each test's browsers close with it: a console left open is the same dispatcher's, and since
// issue #16 §2 an open console joins every new session at once, so a console without H264 from an
// earlier test would make the next test's caller send VP8.
afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close()));
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function device(opts: { mobile?: boolean; without?: string[] } = {}): Promise<Device> {
  const d = await launchDevice({ mobile: opts.mobile });
  devices.push(d);
  if (opts.without) await withoutVideoCodecs(d.page, opts.without);
  return d;
}

/** The codec of the video the page decodes now (from its receive stats), with the consumer's SSRC and frame count. */
async function decoding(page: Page, sessionId?: string): Promise<{ mimeType: string; ssrc: number; frames: number } | undefined> {
  return page.evaluate(async (id) => {
    const probe = (window as unknown as { __sightlineStats?: (id?: string) => Promise<RTCStatsReport | undefined> }).__sightlineStats;
    const report = probe ? await probe(id) : undefined;
    let found: { mimeType: string; ssrc: number; frames: number } | undefined;
    report?.forEach((s: { type: string; kind?: string; codecId?: string; ssrc?: number; framesDecoded?: number }) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video' || !s.codecId) return;
      const codec = (report as unknown as Map<string, { mimeType: string }>).get(s.codecId);
      if (codec) found = { mimeType: codec.mimeType, ssrc: s.ssrc ?? 0, frames: s.framesDecoded ?? 0 };
    });
    return found;
  }, sessionId);
}

/** Watches a page's decoded frames until stopped: the longest time without a new frame (a new consumer counts from its first). */
function stallWatch(page: Page, sessionId?: string) {
  let last = { ssrc: 0, frames: 0, at: performance.now() };
  let longest = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const now = await decoding(page, sessionId).catch(() => undefined);
      const at = performance.now();
      if (now && (now.ssrc !== last.ssrc ? now.frames > 0 : now.frames > last.frames)) last = { ...now, at };
      longest = Math.max(longest, at - last.at);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop(): Promise<number> {
      stopped = true;
      await done;
      return longest / 1000;
    },
  };
}

async function inviteViewer(dispatcher: Page, sessionId: string): Promise<string> {
  const c = card(dispatcher, sessionId);
  await dispatcher.click(c.sel('invite-viewer'));
  return waitFor('viewer link', async () => (await c.text('viewer-url')) || undefined);
}

/** Opens the viewer link and taps Watch; resolves with the moment of the tap (performance.now()). */
async function viewerWatches(viewer: Page, url: string): Promise<number> {
  await viewer.goto(url);
  await viewer.waitForSelector(`main.viewer ${sel('start-video')}`);
  const tapped = performance.now();
  await viewer.click(`main.viewer ${sel('start-video')}`);
  return tapped;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

describe('a receiver that cannot decode the caller codec', () => {
  let switched: { sessionId: string };

  it('gives a viewer without H264 video within 15 s of joining a live H264 call, and the console keeps its picture', async () => {
    const [dispatcher, caller, viewer] = await Promise.all([device(), device({ mobile: true }), device({ without: ['H264'] })]);
    const { sessionId } = await liveSession(dispatcher.page, caller.page, server.url);
    switched = { sessionId };
    const before = await waitFor(
      'console decodes',
      async () => ((await decoding(dispatcher.page, sessionId))?.frames ?? 0) > 10 && decoding(dispatcher.page, sessionId),
    );
    expect(before.mimeType).toBe('video/H264');

    const url = await inviteViewer(dispatcher.page, sessionId);
    const consoleStall = stallWatch(dispatcher.page, sessionId);
    const tapped = await viewerWatches(viewer.page, url);
    const got = await waitFor('viewer decodes video', async () => ((await decoding(viewer.page))?.frames ?? 0) > 10 && decoding(viewer.page), 15_000, 100);
    const toFrames = seconds(tapped);
    console.log(`[kind 5] viewer without H264: frames ${toFrames.toFixed(1)} s after the tap`);
    expect(got.mimeType).toBe('video/VP8');

    // The console now decodes the caller's VP8 as well, and kept (or regained) its picture meanwhile.
    const after = await waitFor('console decodes VP8', async () => {
      const now = await decoding(dispatcher.page, sessionId);
      return now?.mimeType === 'video/VP8' && now.frames > 10 && now;
    });
    expect(after.ssrc).not.toBe(before.ssrc);
    await new Promise((r) => setTimeout(r, 2000));
    const stall = await consoleStall.stop();
    console.log(`[kind 5] console's longest stall while the caller switched codec: ${stall.toFixed(1)} s`);
    expect(stall).toBeLessThan(3);
    expect(await dispatcher.page.$eval(card(dispatcher.page, sessionId).sel('video-lost'), (el) => (el as HTMLElement).hidden)).toBe(true);
    expect(await viewer.page.$eval(sel('video-problem'), (el) => (el as HTMLElement).hidden)).toBe(true);
    expect(await callerStatus(caller.page)).toMatch(/^live/);
  });

  it('keeps recording across the codec change: an H264 segment, then a VP8 one, both playable', async () => {
    const { sessionId } = switched;
    const token = await login(server, 'dispatcher');
    expect((await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token })).status).toBe(200);
    const supervisor = await login(server, 'supervisor');
    const recordings = await waitFor('segments indexed', async () => {
      const list = (await http('GET', `${server.url}/api/sessions/${sessionId}/recordings`, { token: supervisor })).body.recordings as {
        name: string;
        codecs: string[];
      }[];
      return list.length >= 2 && list.some((r) => r.codecs.includes('vp8')) && list;
    });
    const video = recordings.map((r) => r.codecs.find((c) => c !== 'opus'));
    expect(video[0]).toBe('h264');
    expect(video.at(-1)).toBe('vp8');
    for (const r of [recordings[0]!, recordings.at(-1)!]) {
      const res = await fetch(`${server.url}/api/sessions/${sessionId}/recordings/${r.name}`, { headers: { authorization: `Bearer ${supervisor}` } });
      expect(res.status).toBe(200);
      const file = path.join(dir, r.name);
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      const decoded = await decodeMedia(file);
      expect(decoded.errors).toBe('');
      expect(decoded.videoFrames).toBeGreaterThan(10);
    }
  });

  it('sends VP8 from the first frame when a console without H264 watches before the caller starts', async () => {
    const [dispatcher, caller] = await Promise.all([device({ without: ['H264'] }), device({ mobile: true })]);
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
    const tapped = performance.now();
    await callerStartsVideo(caller.page, inviteUrl);
    const got = await waitFor(
      'console decodes video',
      async () => ((await decoding(dispatcher.page, sessionId))?.frames ?? 0) > 10 && decoding(dispatcher.page, sessionId),
      15_000,
      100,
    );
    console.log(`[kind 5] console without H264: frames ${seconds(tapped).toFixed(1)} s after the caller's tap`);
    expect(got.mimeType).toBe('video/VP8');
    // One producer from the start: no H264 first and a switch after.
    expect((await card(dispatcher.page, sessionId).timeline()).filter((t) => t === 'media_started')).toHaveLength(1);
  });

  it('gives a console without H264 opened in the middle of a live H264 call video within 15 s, and the first console keeps its picture', async () => {
    const [dispatcher, caller, second] = await Promise.all([device(), device({ mobile: true }), device({ without: ['H264'] })]);
    const { sessionId } = await liveSession(dispatcher.page, caller.page, server.url);
    expect((await waitFor('console decodes', () => decoding(dispatcher.page, sessionId)))?.mimeType).toBe('video/H264');
    const firstStall = stallWatch(dispatcher.page, sessionId);
    const opened = performance.now();
    await openConsole(second.page, server.url);
    const got = await waitFor(
      'the second console decodes',
      async () => ((await decoding(second.page, sessionId))?.frames ?? 0) > 10 && decoding(second.page, sessionId),
      15_000,
      100,
    );
    console.log(`[kind 5] console without H264 opened mid-call: frames ${seconds(opened).toFixed(1)} s after it was opened`);
    expect(got.mimeType).toBe('video/VP8');
    await waitFor('the first console decodes VP8', async () => (await decoding(dispatcher.page, sessionId))?.mimeType === 'video/VP8');
    await new Promise((r) => setTimeout(r, 2000));
    expect(await firstStall.stop()).toBeLessThan(3);
  });

  it('tells a console that plays none of the formats why, within 5 s of the caller going live', async () => {
    const [dispatcher, caller] = await Promise.all([device({ without: ['H264', 'VP8'] }), device({ mobile: true })]);
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url);
    const c = card(dispatcher.page, sessionId);
    await callerStartsVideo(caller.page, inviteUrl);
    await c.waitStatus('live');
    const live = performance.now();
    const reason = await waitFor(
      'the reason on the card',
      () => dispatcher.page.$eval(c.sel('video-problem'), (el) => !(el as HTMLElement).hidden && el.textContent),
      5_000,
      100,
    );
    console.log(`[kind 5] console with no common codec: reason shown ${seconds(live).toFixed(1)} s after live: ${reason}`);
    expect(reason).toMatch(/cannot play any video format used here \(H264, VP8\)/);
  });

  it('tells a viewer that plays none of the formats why, within 5 s, in words, and the console keeps H264', async () => {
    const [dispatcher, caller, viewer] = await Promise.all([device(), device({ mobile: true }), device({ without: ['H264', 'VP8'] })]);
    const { sessionId } = await liveSession(dispatcher.page, caller.page, server.url);
    const url = await inviteViewer(dispatcher.page, sessionId);
    const tapped = await viewerWatches(viewer.page, url);
    const reason = await waitFor(
      'the reason on the viewer page',
      () => viewer.page.$eval(sel('video-problem'), (el) => !(el as HTMLElement).hidden && el.textContent),
      5_000,
      100,
    );
    console.log(`[kind 5] viewer with no common codec: reason shown ${seconds(tapped).toFixed(1)} s after the tap: ${reason}`);
    expect(reason).toMatch(/cannot play/);
    expect(reason).toMatch(/H264/);
    expect(reason).toMatch(/VP8/);
    const before = await decoding(dispatcher.page, sessionId);
    await new Promise((r) => setTimeout(r, 2000));
    const now = await decoding(dispatcher.page, sessionId);
    expect(now?.mimeType).toBe('video/H264');
    expect(now?.ssrc).toBe(before?.ssrc);
    expect(now!.frames).toBeGreaterThan(before!.frames);
  });
});
