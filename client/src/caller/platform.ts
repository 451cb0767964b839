import type { CallerPlatform } from '@sightline/shared';

/** Which help text fits this browser when the camera is unavailable (shared: the console reads the same steps). */
export type Platform = CallerPlatform;

/**
 * In-app browsers: Facebook and Messenger (FBAN/FBAV), Instagram, Snapchat, LINE, TikTok
 * (BytedanceWebview, musical_ly), X/Twitter, LinkedIn, Pinterest, WeChat (MicroMessenger),
 * KakaoTalk, and Android WebViews in general: `; wv)` since Android 5, and before that the WebView's
 * `Version/4.0 … Chrome/` (Chrome itself never sends `Version/`; developer.chrome.com, "User-Agent
 * strings" of WebView). Such views often lack getUserMedia or hide its permission prompt.
 */
const IN_APP = /FBAN|FBAV|Instagram|Snapchat|Line\/|BytedanceWebview|musical_ly|TikTok|Twitter|LinkedInApp|Pinterest|MicroMessenger|KAKAOTALK|; wv\)/;
const ANDROID_OLD_WEBVIEW = /Android.*Version\/\d+(\.\d+)* .*Chrome\//;

/**
 * The platform, from the user agent and the number of touch points (`navigator.maxTouchPoints`).
 * iPadOS 13 and later send a Mac's user agent ("Macintosh; Intel Mac OS X") by default in Safari,
 * and so do Chrome and Firefox on an iPad asking for the desktop site; no Mac has a touch screen, so
 * a Mac user agent with more than one touch point is an iPad (the check Apple's WebKit team points
 * to; a Mac's trackpad reports 0). Chrome (CriOS), Firefox (FxiOS) and Edge (EdgiOS) on iOS are
 * WebKit underneath and carry iPhone/iPad in their user agent: iOS too.
 */
export function detectPlatform(ua = navigator.userAgent, touchPoints = globalThis.navigator?.maxTouchPoints ?? 0): Platform {
  if (IN_APP.test(ua) || ANDROID_OLD_WEBVIEW.test(ua)) return 'inApp';
  if (/iPhone|iPad|iPod/.test(ua)) return 'ios';
  if (/Macintosh/.test(ua) && touchPoints > 1) return 'ios';
  if (/Android/.test(ua)) return 'android';
  return 'other';
}
