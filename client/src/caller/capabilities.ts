import type { UnsupportedReason } from '@sightline/shared';
import { detectDevice } from 'mediasoup-client';
import { CapabilitiesFetchError, type Device } from '../common/device.js';

/** The parts of `window` the check reads: a seam for the unit test. */
export interface BrowserApis {
  isSecureContext?: boolean;
  RTCPeerConnection?: unknown;
  navigator: { userAgent: string; mediaDevices?: { getUserMedia?: unknown } };
}

/**
 * What the browser lacks outright, checked at load without the network, before any tap: so a
 * browser that cannot stream never opens the camera. In order of cause: an insecure page hides
 * both APIs; Lockdown Mode, WebKitGTK and some WebViews have no RTCPeerConnection; many in-app
 * browsers have no getUserMedia; and mediasoup-client must know the engine (its `detectDevice`).
 */
export function missingApi(w: BrowserApis = window as unknown as BrowserApis): UnsupportedReason | undefined {
  if (w.isSecureContext === false) return 'insecure_context';
  if (typeof w.RTCPeerConnection !== 'function') return 'no_peer_connection';
  if (typeof w.navigator.mediaDevices?.getUserMedia !== 'function') return 'no_get_user_media';
  if (!detectDevice(w.navigator.userAgent)) return 'engine_not_supported';
  return undefined;
}

/**
 * The whole check: `missingApi`, then the loaded Device (which sets up a real RTCPeerConnection to
 * learn the codecs) must be able to send video. `undefined` = this browser can stream, or the
 * network kept us from knowing (the tap tries again and says what went wrong).
 */
export async function unsupportedReason(device: Promise<Device> | undefined, w?: BrowserApis): Promise<UnsupportedReason | undefined> {
  const missing = missingApi(w);
  if (missing || !device) return missing;
  try {
    return (await device).canProduce('video') ? undefined : 'cannot_send_video';
  } catch (err) {
    return err instanceof CapabilitiesFetchError ? undefined : 'media_setup_failed';
  }
}
