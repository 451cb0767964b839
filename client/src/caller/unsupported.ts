import type { UnsupportedReason } from '@sightline/shared';
import { browserFamily, isInApp } from './browserFamily.js';
import type { CallerText } from './i18n/types.js';
import { detectPlatform } from './platform.js';
import { $, type CallerUi } from './CallerUi.js';

/**
 * The help for a browser that cannot send live video, by what it is:
 * - an in-app browser (by its user agent, or by having no camera API at all, its mark whatever it
 *   claims to be): open the link in the real browser;
 * - iOS Safari without WebRTC, which is what Lockdown Mode does (every browser on iOS uses the same
 *   engine, so "open it in another browser" would not help): turn Lockdown Mode off for this site;
 * - anything else: open the link in Safari or Chrome.
 */
export function helpFor(reason: UnsupportedReason, ua = navigator.userAgent): (t: CallerText) => string {
  const platform = detectPlatform(ua);
  const browser = browserFamily(ua);
  if (platform === 'inApp' || isInApp(browser) || reason === 'no_get_user_media') return (t) => t.help.inApp;
  if (platform === 'ios' && browser === 'safari' && reason === 'no_peer_connection') return (t) => t.help.lockdown;
  return (t) => t.help.unsupported;
}

/**
 * Puts the page in the `unsupported` state: plain help in the caller's language and the photo
 * fallback, no Start button, so the camera is never opened for a stream that cannot happen.
 * `beforeTap`: the invite is unspent, so location (which needs the session) is not offered yet.
 */
export function showUnsupported(ui: CallerUi, reason: UnsupportedReason, beforeTap: boolean): void {
  $('start').hidden = true;
  ui.setStatus('unsupported', undefined, reason);
  ui.showHelp(helpFor(reason));
  $('extras').hidden = false;
  $('location').hidden = beforeTap;
}
