import { BROWSER_FAMILIES, UNSUPPORTED_REASONS, type BrowserFamily, type SessionEvent, type SessionStatus, type UnsupportedReason } from '@sightline/shared';
import { h } from '../../common/dom.js';

/** What the caller page's check found, in the dispatcher's words (reasons: shared/src/sessions/browser.ts). */
const REASON_WORDS: Record<UnsupportedReason, string> = {
  insecure_context: 'the page was not opened over HTTPS',
  no_peer_connection: 'the browser has no WebRTC (iOS Lockdown Mode, or an old or embedded browser)',
  no_get_user_media: 'the browser cannot use the camera (typical of in-app browsers)',
  engine_not_supported: 'this browser engine cannot do our video',
  media_setup_failed: "the browser's WebRTC refused to start (turned off by a setting or policy)",
  cannot_send_video: 'the browser has no video format in common with us',
};

const FAMILY_WORDS: Record<BrowserFamily, string> = {
  safari: 'Safari',
  chrome: 'Chrome',
  firefox: 'Firefox',
  edge: 'Edge',
  samsung: 'Samsung Internet',
  opera: 'Opera',
  webkit: 'a WebKit browser',
  'ios-webview': "an app's built-in browser (iOS)",
  'android-webview': "an app's built-in browser (Android)",
  facebook: "Facebook's built-in browser",
  instagram: "Instagram's built-in browser",
  snapchat: "Snapchat's built-in browser",
  tiktok: "TikTok's built-in browser",
  line: "LINE's built-in browser",
  wechat: "WeChat's built-in browser",
  other: 'an unknown browser',
};

/** Words for a `browser_unsupported` event, or undefined when its details are not ones we know. */
export function unsupportedWords(details: Record<string, unknown> | undefined): string | undefined {
  const reason = details?.['reason'];
  const browser = details?.['browser'];
  if (!(UNSUPPORTED_REASONS as readonly unknown[]).includes(reason) || !(BROWSER_FAMILIES as readonly unknown[]).includes(browser)) return undefined;
  return (
    `The caller's browser cannot send video: ${REASON_WORDS[reason as UnsupportedReason]} (${FAMILY_WORDS[browser as BrowserFamily]}). ` +
    'Ask them to open the link in Safari or Chrome, or to send a photo.'
  );
}

/**
 * The card's line saying why no video can come from this caller's browser. It stays until video
 * starts (the caller may open the link in another browser after reading the help).
 */
export class BrowserNotice {
  readonly el = h('p', { class: 'browser-problem', testid: 'browser-problem', role: 'status', hidden: true });

  event(e: SessionEvent): void {
    if (e.type !== 'browser_unsupported') return;
    const words = unsupportedWords(e.details);
    if (!words) return;
    this.el.textContent = words;
    this.el.dataset['reason'] = String(e.details?.['reason']);
    this.el.hidden = false;
  }

  status(status: SessionStatus): void {
    if (status === 'camera_granted' || status === 'live') this.el.hidden = true;
  }
}
