import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Builder, type WebDriver } from 'selenium-webdriver';
import { freePort } from '../../server/src/testing/ports.js';

/**
 * WebKitGTK as a caller's browser: Debian's MiniBrowser driven over W3C WebDriver by its
 * WebKitWebDriver (package webkit2gtk-driver), through selenium-webdriver. This engine has
 * getUserMedia and mock cameras but no RTCPeerConnection (Debian builds it without WebRTC), so it
 * stands for every browser that cannot send live video: iOS Lockdown Mode, old WebViews.
 * MiniBrowser has no headless mode, so it runs on a virtual X display of its own (Xvfb).
 */
export const WEBKIT_DRIVER = process.env['WEBKIT_DRIVER_BIN'] ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env['MINIBROWSER_BIN'] ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB = process.env['XVFB_BIN'] ?? '/usr/bin/Xvfb';

export interface WebKitDevice {
  driver: WebDriver;
  close(): Promise<void>;
}

export async function launchWebKit(): Promise<WebKitDevice> {
  for (const bin of [WEBKIT_DRIVER, MINIBROWSER, XVFB]) {
    if (!existsSync(bin)) throw new Error(`${bin} not found: install Debian's webkit2gtk-driver and xvfb (scripts/setup.sh does)`);
  }
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await kill(child);
  };
  try {
    const xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    children.push(xvfb);
    const display = `:${await firstLine(xvfb, 3, 'Xvfb display number')}`;
    const port = await freePort();
    const driverOut: string[] = [];
    const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`], { env: { ...process.env, DISPLAY: display }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(driver);
    driver.stdout?.on('data', (c: Buffer) => driverOut.push(c.toString()));
    driver.stderr?.on('data', (c: Buffer) => driverOut.push(c.toString()));
    await listening(`http://127.0.0.1:${port}/status`, driver, driverOut);
    const session = await new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': {
          binary: MINIBROWSER,
          // --automation lets the driver control it; the mock camera is what a phone's camera would be.
          args: ['--automation', '--enable-media-stream=true', '--enable-mock-capture-devices=true'],
        },
      })
      .build();
    return {
      driver: session,
      async close() {
        await session.quit().catch(() => undefined);
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function firstLine(child: ChildProcess, fd: number, what: string): Promise<string> {
  const stream = child.stdio[fd] as NodeJS.ReadableStream | undefined;
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
    stream?.on('data', (c: Buffer) => {
      got += c.toString();
      if (got.includes('\n')) {
        clearTimeout(timer);
        resolve(got.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what}: process exited (${code})`));
    });
  });
}

async function listening(url: string, child: ChildProcess, out: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}): ${out.join('')}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) throw new Error(`WebKitWebDriver did not answer at ${url}: ${out.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
