import { z } from '../zod.js';

/**
 * What the caller page reports about the browser it runs in, once it has loaded (link previewers
 * and scanners do not run it, so only a real opening is ever recorded). Families are told apart by
 * the page (client/src/caller/browserFamily.ts); in-app browsers are named by their app, because the
 * help the caller needs ("open the link in Safari or Chrome") differs from a real browser's.
 */
export const BROWSER_FAMILIES = [
  'safari',
  'chrome',
  'firefox',
  'edge',
  'samsung',
  'opera',
  /** Another WebKit engine: WebKitGTK, WPE, Epiphany. */
  'webkit',
  /** An app's embedded browser on iOS (WKWebView without a browser name). */
  'ios-webview',
  'android-webview',
  'facebook',
  'instagram',
  'snapchat',
  'tiktok',
  'line',
  'wechat',
  'other',
] as const;
export type BrowserFamily = (typeof BROWSER_FAMILIES)[number];

/**
 * Why a browser cannot send live video, from the page's check at load (client/src/caller/capabilities.ts):
 * - `insecure_context`: not HTTPS, so the browser hides camera and WebRTC;
 * - `no_peer_connection`: no RTCPeerConnection (iOS Lockdown Mode, WebKitGTK, some WebViews);
 * - `no_get_user_media`: no camera API (many in-app browsers, old WebViews);
 * - `engine_not_supported`: mediasoup-client has no handler for this engine;
 * - `media_setup_failed`: the WebRTC engine is there but refused to set up (disabled by policy);
 * - `cannot_send_video`: no video codec in common with the server.
 */
export const UNSUPPORTED_REASONS = [
  'insecure_context',
  'no_peer_connection',
  'no_get_user_media',
  'engine_not_supported',
  'media_setup_failed',
  'cannot_send_video',
] as const;
export type UnsupportedReason = (typeof UNSUPPORTED_REASONS)[number];

/**
 * The caller's platform as far as the help goes (client/src/caller/platform.ts): which numbered
 * steps unblock the camera. `inApp`: an app's built-in browser, whatever the phone.
 */
export const CALLER_PLATFORMS = ['ios', 'android', 'inApp', 'other'] as const;
export type CallerPlatform = (typeof CALLER_PLATFORMS)[number];

/** Body of `POST /api/invites/:code/opened`: the page has loaded; `unsupported` when it cannot stream. */
export const pageReport = z.strictObject({
  browser: z.enum(BROWSER_FAMILIES),
  unsupported: z.enum(UNSUPPORTED_REASONS).optional(),
});
export type PageReport = z.infer<typeof pageReport>;
