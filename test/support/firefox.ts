import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import type { Device } from './browser.js';

export const FIREFOX = process.env['FIREFOX_BIN'] ?? '/usr/bin/firefox-esr';

/**
 * Preferences that make a headless Firefox a phone whose caller granted the camera, for tests only.
 * - A fake camera, and the camera permission granted (as the caller's tap on "Allow" does).
 *   Granted, not skipped: with `media.navigator.permission.disabled` instead, Firefox counts the
 *   page as holding no camera permission and gathers ICE candidates on the default route's address
 *   only (PeerConnectionImpl's `IsActivelyCapturingOrHasAPermission` check), which is never
 *   loopback, and is nothing at all in a network namespace without a default route.
 * - Host candidates on loopback, unhidden: Firefox gathers none on loopback by default
 *   (`media.peerconnection.ice.loopback`), and hides host addresses behind mDNS names
 *   (`...obfuscate_host_addresses`). The SFU is ICE-lite and Firefox pairs a loopback remote
 *   candidate only with a loopback local one, so a test on 127.0.0.1 needs both prefs.
 * - Autoplay allowed, as Chromium's `--autoplay-policy=no-user-gesture-required` in launchDevice.
 * Names: Firefox's modules/libpref/init/StaticPrefList.yaml and all.js. puppeteer's own profile
 * (@puppeteer/browsers createProfile) already turns off updates, telemetry and first-run pages.
 */
export const FIREFOX_TEST_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'permissions.default.camera': 1,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
};

/**
 * One headless Firefox ESR as a simulated device, driven over WebDriver BiDi (puppeteer's only
 * protocol for Firefox): the second browser engine of the end-to-end tests. Debian's firefox-esr
 * has no H264 (Mozilla's OpenH264 plugin is a download), so as a caller it sends VP8.
 * The page is a BiDi page: `page.evaluate`, selectors, clicks and `evaluateOnNewDocument` work;
 * CDP sessions (`page.createCDPSession`) do not.
 */
export async function launchFirefoxDevice(opts: { mobile?: boolean } = {}): Promise<Device> {
  if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} not found: install Debian's firefox-esr (scripts/setup.sh does)`);
  // puppeteer writes the prefs into a temporary profile of its own, and removes it on close.
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: FIREFOX_TEST_PREFS,
    defaultViewport: null,
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  // A phone-sized window; BiDi has no touch emulation, which the caller page does not need.
  if (opts.mobile) await page.setViewport({ width: 390, height: 844, deviceScaleFactor: 2 });
  else await page.setViewport({ width: 1440, height: 900 });
  return {
    browser,
    page,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
