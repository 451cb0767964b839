import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';

/**
 * Every session router has the same capabilities, published at /api/rtp-capabilities, so a page
 * can load its Device before it has joined anything (the caller page does it before the tap).
 */
export async function loadDevice(): Promise<Device> {
  const res = await fetch('/api/rtp-capabilities');
  if (!res.ok) throw new Error(`cannot load media capabilities (HTTP ${res.status})`);
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities: (await res.json()) as types.RtpCapabilities });
  return device;
}

export type { Device };
