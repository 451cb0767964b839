import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env['CHROMIUM_BIN'] ?? '/usr/bin/chromium';

/**
 * One headless Chromium per simulated device (caller phone, dispatcher desktop): a background tab
 * is throttled and may never render a frame, so the two never share a browser.
 */
export interface Device {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * `autoplay: false` keeps Chromium's real autoplay policy (sound needs a user gesture), as a
 * dispatcher's browser has after a reload; by default tests lift it so media plays unattended.
 * `netns` runs the browser in that network namespace (netns tests, as root: a second desk whose
 * packets can be told apart); DevTools then speaks over a pipe, as the namespace has its own loopback.
 */
export async function launchDevice(
  opts: { fakeVideoFile?: string; denyCamera?: boolean; mobile?: boolean; autoplay?: boolean; netns?: string; args?: string[] } = {},
): Promise<Device> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (the test command does)`);
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--use-fake-device-for-media-stream',
    `--user-data-dir=${userDataDir}`,
  ];
  if (opts.autoplay !== false) args.push('--autoplay-policy=no-user-gesture-required');
  if (!opts.denyCamera) args.push('--use-fake-ui-for-media-stream');
  if (opts.fakeVideoFile) args.push(`--use-file-for-fake-video-capture=${opts.fakeVideoFile}`);
  if (opts.args) args.push(...opts.args);
  let executablePath = CHROMIUM;
  if (opts.netns) {
    executablePath = `${userDataDir}-netns.sh`;
    await writeFile(executablePath, `#!/bin/sh\nexec ip netns exec '${opts.netns}' '${CHROMIUM}' "$@"\n`);
    await chmod(executablePath, 0o755);
  }
  const browser = await puppeteer.launch({ executablePath, pipe: Boolean(opts.netns), headless: true, args, defaultViewport: null });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  if (opts.mobile) await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  else await page.setViewport({ width: 1440, height: 900 });
  return {
    browser,
    page,
    async close() {
      await browser.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
      if (opts.netns) await rm(`${userDataDir}-netns.sh`, { force: true });
    },
  };
}

/** Frames decoded so far by the inbound video of the page's `remote-video` consumer: of `sessionId`'s card on the console, else its first card. */
export async function framesDecoded(page: Page, sessionId?: string): Promise<number> {
  return page.evaluate(async (id) => {
    const probe = (window as unknown as { __sightlineStats?: (id?: string) => Promise<RTCStatsReport | undefined> }).__sightlineStats;
    const report = probe ? await probe(id) : undefined;
    let frames = 0;
    report?.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames = Math.max(frames, s.framesDecoded ?? 0);
    });
    return frames;
  }, sessionId);
}

/** The inbound video stream now decoded: its SSRC (new for every consumer) and its frame count. */
export async function inboundVideo(page: Page): Promise<{ ssrc: number; frames: number } | undefined> {
  return page.evaluate(async () => {
    const probe = (window as unknown as { __sightlineStats?: () => Promise<RTCStatsReport | undefined> }).__sightlineStats;
    const report = probe ? await probe() : undefined;
    let found: { ssrc: number; frames: number } | undefined;
    report?.forEach((s: { type: string; kind?: string; ssrc?: number; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') found = { ssrc: s.ssrc ?? 0, frames: s.framesDecoded ?? 0 };
    });
    return found;
  });
}

/** Resolves once a video stream other than `old` (a new consumer, after a rebuild) has decoded `frames`. */
export async function newVideoDecoding(page: Page, old: { ssrc: number } | undefined, timeoutMs: number, frames = 10): Promise<void> {
  await waitFor(
    'video from a new consumer',
    async () => {
      const now = await inboundVideo(page);
      return now !== undefined && now.ssrc !== old?.ssrc && now.frames > frames;
    },
    timeoutMs,
    100,
  );
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
