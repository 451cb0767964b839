import { EventEmitter } from 'node:events';
import { unplayableReason, VIDEO_CODECS, videoCodecsIn, wantedVideoCodecs, type VideoReceiver } from './codecs.js';

export interface RoomCodecsEvents {
  /** The codecs to ask the caller for changed (best first). */
  changed: [codecs: string[]];
}

/**
 * Which video codec one session's caller should send so that every receiver can play it. Receivers
 * (console, viewers) say what they decode as they join or consume; the caller says what it can send.
 * The caller is told the wanted list on every change and switches when its codec drops out of it.
 */
export class RoomCodecs extends EventEmitter<RoomCodecsEvents> {
  #receivers = new Map<string, VideoReceiver>();
  #callerSends: string[] = [...VIDEO_CODECS];
  #wanted: string[] = [...VIDEO_CODECS];

  /** Best first; never empty while the caller can send video at all. */
  get wanted(): string[] {
    return [...this.#wanted];
  }

  /** The caller's browser can send these (its Device's send capabilities). */
  callerCapabilities(caps: unknown): void {
    this.#callerSends = videoCodecsIn(caps);
    this.#update();
  }

  /** A receiver (peer) with these receive capabilities; `staff` is kept from an earlier call when omitted. */
  receiver(peerId: string, caps: unknown, staff?: boolean): void {
    this.#receivers.set(peerId, { decodes: videoCodecsIn(caps), staff: staff ?? this.#receivers.get(peerId)?.staff ?? false });
    this.#update();
  }

  removePeer(peerId: string): void {
    if (this.#receivers.delete(peerId)) this.#update();
  }

  /** Why `peerId` cannot play `sending`, in words (see unplayableReason). */
  reason(peerId: string, sending: string): string {
    return unplayableReason(sending, this.#receivers.get(peerId)?.decodes ?? [], this.#wanted, this.#callerSends);
  }

  #update(): void {
    const next = wantedVideoCodecs(this.#receivers.values(), this.#callerSends);
    if (next.join() === this.#wanted.join()) return;
    this.#wanted = next;
    this.emit('changed', [...next]);
  }
}
