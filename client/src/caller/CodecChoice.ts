import type { types } from 'mediasoup-client';
import type { Device } from '../common/device.js';
import type { SignallingSocket } from '../common/signalling.js';

/** Without word from the server: H264 first (hardware encoders on iPhones), VP8 where the browser cannot send H264. */
const DEFAULT_ORDER = ['video/h264', 'video/vp8'];

/**
 * Which video codec the caller's page publishes. The server tells the page, as it joins and on every
 * change (`media:video-codecs`), the codecs every receiver of the session decodes, best first; the
 * page sends the first of them its browser can send. When the codec it sends drops out of that list
 * (a viewer that cannot play H264 joined), it switches, if it can send one that is in the list.
 * Create it as soon as the socket exists: the server's first word comes with the join.
 */
export class CodecChoice {
  #wanted: string[] | undefined;
  #listeners = new Set<() => void>();

  constructor(socket: SignallingSocket) {
    socket.on('media:video-codecs', ({ codecs }) => {
      this.#wanted = codecs.map((c) => c.toLowerCase());
      for (const listener of [...this.#listeners]) {
        try {
          listener();
        } catch {
          // One observer's failure is not the others' business.
        }
      }
    });
  }

  /** Calls `listener` whenever the server sends a new list; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The codec to produce with on `device` (one of its send capabilities); undefined lets mediasoup-client choose. */
  pick(device: Device): types.RtpCodecCapability | undefined {
    const sendable = (device.sendRtpCapabilities.codecs ?? []).filter((c) => c.kind === 'video');
    const find = (mimeType: string) => sendable.find((c) => c.mimeType.toLowerCase() === mimeType);
    for (const m of this.#wanted ?? []) if (find(m)) return find(m);
    for (const m of DEFAULT_ORDER) if (find(m)) return find(m);
    return undefined;
  }

  /** Whether a producer sending `mimeType` should switch: some receiver cannot play it, and a codec all can play is sendable. */
  shouldSwitch(device: Device, mimeType: string): boolean {
    const wanted = this.#wanted;
    if (!wanted || wanted.includes(mimeType.toLowerCase())) return false;
    const next = this.pick(device);
    return next !== undefined && wanted.includes(next.mimeType.toLowerCase());
  }
}
