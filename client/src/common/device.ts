import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';

/** The server's media capabilities could not be fetched: the network's or the server's trouble, not the browser's. */
export class CapabilitiesFetchError extends Error {
  override name = 'CapabilitiesFetchError';
}

/**
 * Every session router has the same capabilities, published at /api/rtp-capabilities, so a page
 * can load its Device before it has joined anything (the caller page does it before the tap).
 * @throws CapabilitiesFetchError when they cannot be fetched; anything else is the browser refusing
 *   (mediasoup-client's UnsupportedError, or its WebRTC engine failing to set up).
 */
export async function loadDevice(): Promise<Device> {
  let routerRtpCapabilities: types.RtpCapabilities;
  try {
    const res = await fetch('/api/rtp-capabilities');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    routerRtpCapabilities = (await res.json()) as types.RtpCapabilities;
  } catch (err) {
    throw new CapabilitiesFetchError(`cannot load media capabilities (${(err as Error).message})`);
  }
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities });
  return device;
}

export type { Device };
