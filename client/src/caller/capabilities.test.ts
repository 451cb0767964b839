import { describe, expect, it } from 'vitest';
import { CapabilitiesFetchError, type Device } from '../common/device.js';
import { missingApi, unsupportedReason, type BrowserApis } from './capabilities.js';

const CHROME_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
const full = (): BrowserApis => ({
  isSecureContext: true,
  RTCPeerConnection: function RTCPeerConnection() {},
  navigator: { userAgent: CHROME_UA, mediaDevices: { getUserMedia: () => undefined } },
});
const device = (video: boolean) => Promise.resolve({ canProduce: () => video } as unknown as Device);

describe('the caller page check of what the browser can do', () => {
  it('names the first missing piece, in order of cause', () => {
    expect(missingApi(full())).toBeUndefined();
    expect(missingApi({ ...full(), isSecureContext: false, RTCPeerConnection: undefined })).toBe('insecure_context');
    expect(missingApi({ ...full(), RTCPeerConnection: undefined })).toBe('no_peer_connection');
    expect(missingApi({ ...full(), navigator: { userAgent: CHROME_UA } })).toBe('no_get_user_media');
    expect(missingApi({ ...full(), navigator: { userAgent: CHROME_UA, mediaDevices: {} } })).toBe('no_get_user_media');
    // An engine mediasoup-client has no handler for (Internet Explorer 11 here).
    expect(missingApi({ ...full(), navigator: { ...full().navigator, userAgent: 'Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko' } })).toBe(
      'engine_not_supported',
    );
  });

  it('asks the loaded device for video, and blames the network, not the browser, when capabilities could not be fetched', async () => {
    expect(await unsupportedReason(device(true), full())).toBeUndefined();
    expect(await unsupportedReason(device(false), full())).toBe('cannot_send_video');
    expect(await unsupportedReason(Promise.reject(new TypeError('RTCPeerConnection is disabled')), full())).toBe('media_setup_failed');
    expect(await unsupportedReason(Promise.reject(new CapabilitiesFetchError('offline')), full())).toBeUndefined();
    expect(await unsupportedReason(undefined, { ...full(), RTCPeerConnection: undefined })).toBe('no_peer_connection');
  });
});
