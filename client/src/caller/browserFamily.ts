import type { BrowserFamily } from '@sightline/shared';

/**
 * Which browser family a user agent belongs to, for the session log and the console ("the caller is
 * in Facebook's in-app browser"). A short table rather than a UA-parsing library: the caller page
 * has a weight budget (README: ~74 KiB to first frame) and only these families change what the
 * caller or the dispatcher is told. Order matters: in-app browsers carry a real browser's tokens too
 * (Instagram's says Chrome and Safari), and every Chromium says Safari.
 */
const RULES: ReadonlyArray<[RegExp, BrowserFamily]> = [
  [/FBAN|FBAV|FB_IAB/, 'facebook'],
  [/Instagram/, 'instagram'],
  [/Snapchat/, 'snapchat'],
  [/BytedanceWebview|musical_ly|TikTok/i, 'tiktok'],
  [/\bLine\//, 'line'],
  [/MicroMessenger/, 'wechat'],
  // Android System WebView (an app's embedded browser) marks itself with "; wv)".
  [/; wv\)/, 'android-webview'],
  [/SamsungBrowser/, 'samsung'],
  [/Edg(e|A|iOS)?\//, 'edge'],
  [/OPR\/|OPT\/|Opera/, 'opera'],
  [/Firefox\/|FxiOS/, 'firefox'],
  [/CriOS|Chrome\/|Chromium\//, 'chrome'],
];

export function browserFamily(ua: string = navigator.userAgent): BrowserFamily {
  for (const [pattern, family] of RULES) if (pattern.test(ua)) return family;
  const apple = /iPhone|iPad|iPod|Macintosh/.test(ua);
  // On iOS every browser is WebKit; one without "Safari/" is an app's WKWebView.
  if (/iPhone|iPad|iPod/.test(ua) && !/Safari\//.test(ua)) return 'ios-webview';
  if (apple && /Safari\//.test(ua)) return 'safari';
  // WebKitGTK, WPE and Epiphany say Safari too, on Linux.
  if (/AppleWebKit\//.test(ua)) return 'webkit';
  return 'other';
}

const IN_APP: ReadonlySet<BrowserFamily> = new Set(['facebook', 'instagram', 'snapchat', 'tiktok', 'line', 'wechat', 'android-webview', 'ios-webview']);

/** An app's embedded browser: its caller is told to open the link in a real browser. */
export function isInApp(family: BrowserFamily): boolean {
  return IN_APP.has(family);
}
