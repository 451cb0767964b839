/**
 * Time to first frame through BARE mediasoup + mediasoup-client (no Sightline code path): the
 * baseline for ../ttff.ts. Same measurement: wall-clock from the publisher's tap to the first
 * frame the subscriber's <video> presents (requestVideoFrameCallback), two separate headless
 * Chromium instances with fake cameras, the first run a warm-up. Prints figures; never fails on
 * timing. `npm run bench:ttff` runs it in rounds, alternating with Sightline; alone:
 *
 *   npx tsx test/bench/bare/ttff-bare.ts        (RUNS=20 for more runs)
 */
import { countBytes, median, readMarks, readThePage, recordRun, sinceTap, summarize, type Sitting } from '../measure.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { build } from 'vite';
import { launchDevice, waitFor, type Device } from '../../support/browser.js';

const RUNS = Number(process.env['RUNS'] ?? 10);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../../..');

interface Child {
  url: string;
  stop(): Promise<void>;
}

/** Builds the two pages into a temp dir; the caller removes it. */
export async function buildBarePages(): Promise<string> {
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-bare-dist-'));
  // Vite's build sets NODE_ENV=production in this process; the Sightline server started after it
  // in the same process must not inherit that (it would demand a JWT_SECRET).
  const nodeEnv = process.env['NODE_ENV'];
  try {
    await build({ configFile: path.join(HERE, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  return outDir;
}

/** Runs server.ts in its own process (as the Sightline bench does with its server). */
async function startChild(distDir: string): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'server.ts'), distDir], {
    cwd: REPO_ROOT,
    // As it always ran: after Vite's build, so in production mode.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare server did not start:\n${out}`)), 30_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /BARE_URL (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare server exited (${code}):\n${out}`));
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** One sitting: the bare server in its own process, two browsers, a warm-up run and `runs` counted runs. */
export async function bareSitting(distDir: string, runs: number, label = 'bare '): Promise<Sitting & { codec: string }> {
  let server: Child | undefined;
  let devices: Device[] = [];
  const sitting: Sitting = { ttff: [], bytes: [], steps: [] };
  let codec = '';
  try {
    server = await startChild(distDir);
    const [subscriber, publisher] = (devices = await Promise.all([launchDevice(), launchDevice({ mobile: true })]));
    for (let i = 0; i < runs + 1; i++) {
      // Fresh state each run: the old publisher page goes away (its producer with it), the subscriber reloads.
      await publisher!.page.goto('about:blank');
      await subscriber!.page.goto(`${server.url}/subscriber.html`);
      await waitFor('subscriber ready', () => pageState(subscriber!.page, '__ready'), 20_000, 5);
      await armFirstFrameProbe(subscriber!.page);

      const cdp = await publisher!.page.createCDPSession();
      const counter = await countBytes(cdp);
      await publisher!.page.goto(`${server.url}/publisher.html`);
      await publisher!.page.waitForSelector('#start:not([disabled])');
      await readThePage();
      const tappedAt = await publisher!.page.$eval('#start', (el) => {
        const t = performance.timeOrigin + performance.now();
        (el as HTMLButtonElement).click();
        return t;
      });
      const firstFrameAt = await waitFor(
        'first frame',
        async () => {
          const error = (await pageState(publisher!.page, '__error')) ?? (await pageState(subscriber!.page, '__error'));
          if (error) throw new Error(String(error));
          return subscriber!.page.evaluate(() => (window as any).__firstFrameAt as number | undefined);
        },
        30_000,
        5,
      );
      const transferred = counter.total();
      await cdp.detach();
      // The resume's acknowledgement may trail the first frame (media leaves before the answer does).
      await new Promise((r) => setTimeout(r, 250));
      const steps = sinceTap(tappedAt, await readMarks(publisher!.page), await readMarks(subscriber!.page));
      recordRun(i, firstFrameAt - tappedAt, transferred, sitting, label, steps);
      if (i === 0) codec = await publisher!.page.$eval('#status', (el) => el.textContent ?? '');
    }
  } finally {
    await Promise.all(devices.map((d) => d.close()));
    await server?.stop();
  }
  return { ...sitting, codec };
}

async function main(): Promise<void> {
  const distDir = await buildBarePages();
  try {
    const { ttff, bytes, codec } = await bareSitting(distDir, RUNS, '');
    process.stdout.write(
      summarize('BARE', ttff) +
        `publisher page bytes on the wire to first frame (as sent: this test server does not compress; incl. headers and signalling): median ${(median(bytes) / 1024).toFixed(1)} KiB\n` +
        `publisher: ${codec}\n`,
    );
  } finally {
    await rm(distDir, { recursive: true, force: true });
  }
}

async function pageState(page: Page, key: '__ready' | '__error'): Promise<unknown> {
  return page.evaluate((k) => (window as any)[k] as unknown, key);
}

/** Stamps window.__firstFrameAt with the wall-clock time the subscriber presents its first remote frame. */
async function armFirstFrameProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    w.__firstFrameAt = undefined;
    const video = document.getElementById('remote') as HTMLVideoElement;
    video.requestVideoFrameCallback(() => (w.__firstFrameAt = performance.timeOrigin + performance.now()));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
