import {
  BROWSER_FAMILIES,
  CALLER_PLATFORMS,
  UNSUPPORTED_REASONS,
  type BrowserFamily,
  type CallerPlatform,
  type SessionEvent,
  type SessionStatus,
  type UnsupportedReason,
} from '@sightline/shared';
import { en } from '../../caller/i18n/en.js';
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

/** A platform as the dispatcher says it (the caller page's guide has the steps for each). */
const PLATFORM_WORDS: Record<CallerPlatform, string> = {
  ios: 'on an iPhone or iPad',
  android: 'on Android',
  inApp: "in an app's built-in browser",
  other: 'on a computer or another phone',
};

/**
 * Words and steps for a `camera_denied` event: which browser the caller has, and the numbered steps
 * the caller's page shows for that platform (the same steps, in English, to read aloud).
 */
export function cameraDeniedWords(details: Record<string, unknown> | undefined): { words: string; steps: readonly string[] } | undefined {
  const platform = details?.['platform'];
  if (!(CALLER_PLATFORMS as readonly unknown[]).includes(platform)) return undefined;
  const browser = details?.['browser'];
  const family = (BROWSER_FAMILIES as readonly unknown[]).includes(browser) ? FAMILY_WORDS[browser as BrowserFamily] : 'an unknown browser';
  return {
    words: `The caller's camera is blocked: ${family} ${PLATFORM_WORDS[platform as CallerPlatform]}. Their screen shows these steps; read them aloud:`,
    steps: en.guide[platform as CallerPlatform],
  };
}

/**
 * The card's line about the caller's side when there is no video from it, and why:
 * - the browser cannot send video (`browser_unsupported`): stays until video starts (the caller may
 *   open the link in another browser after reading the help);
 * - the camera was blocked (`camera_denied`): the caller's browser and the numbered steps their
 *   page shows, to read aloud; gone once the camera opens;
 * - the caller stopped the video for good (`video_stopped`): stays, the call goes on.
 * `data-reason` says which (the unsupported reason, `camera_denied` or `video_stopped`).
 */
export class BrowserNotice {
  readonly el = h('div', { class: 'browser-problem', testid: 'browser-problem', role: 'status', hidden: true });
  #stopped = false;

  event(e: SessionEvent): void {
    if (e.type === 'video_stopped') {
      this.#stopped = true;
      return this.#show('video_stopped', 'The caller stopped the video (consent withdrawn). The call goes on: keep talking on the phone.');
    }
    if (e.type === 'camera_denied') {
      const denied = cameraDeniedWords(e.details);
      if (denied) this.#show('camera_denied', denied.words, denied.steps);
      return;
    }
    if (e.type !== 'browser_unsupported') return;
    const words = unsupportedWords(e.details);
    if (words) this.#show(String(e.details?.['reason']), words);
  }

  status(status: SessionStatus): void {
    if (!this.#stopped && (status === 'camera_granted' || status === 'live')) this.el.hidden = true;
  }

  #show(reason: string, words: string, steps: readonly string[] = []): void {
    this.el.replaceChildren(h('p', {}, words), ...(steps.length ? [h('ol', { testid: 'browser-problem-steps' }, ...steps.map((s) => h('li', {}, s)))] : []));
    this.el.dataset['reason'] = reason;
    this.el.hidden = false;
  }
}
