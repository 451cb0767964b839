import type { Room } from './Room.js';

export interface MediaSummary {
  kind: string;
  codec: string;
  durationSec: number;
  avgKbps: number;
  minScore: number;
}

/**
 * Follows each producer of a room while it lives: samples bytes and mediasoup's quality score every
 * few seconds, and hands over a summary when it closes (for the session log and the audit view).
 */
export class MediaQuality {
  #tracked = new Map<
    string,
    { kind: string; codec: string; startedAt: number; firstBytes: number; lastBytes: number; minScore: number; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly room: Pick<Room, 'producerSample'>,
    private readonly everyMs = 5000,
  ) {}

  start(producerId: string, kind: string): void {
    const entry = {
      kind,
      codec: '',
      startedAt: Date.now(),
      firstBytes: 0,
      lastBytes: 0,
      minScore: 10,
      timer: setInterval(() => void this.#sample(producerId), this.everyMs),
    };
    entry.timer.unref();
    this.#tracked.set(producerId, entry);
    void this.#sample(producerId);
  }

  /** Stops following the producer; its summary, or nothing if it was never seen. */
  finish(producerId: string): MediaSummary | undefined {
    const t = this.#tracked.get(producerId);
    if (!t) return undefined;
    clearInterval(t.timer);
    this.#tracked.delete(producerId);
    const durationSec = (Date.now() - t.startedAt) / 1000;
    const avgKbps = durationSec > 0 ? ((t.lastBytes - t.firstBytes) * 8) / 1000 / durationSec : 0;
    return { kind: t.kind, codec: t.codec, durationSec: Math.round(durationSec), avgKbps: Math.round(avgKbps), minScore: t.minScore };
  }

  async #sample(producerId: string): Promise<void> {
    const sample = await this.room.producerSample(producerId);
    const t = this.#tracked.get(producerId);
    if (!sample || !t) return;
    t.codec = sample.codec;
    t.lastBytes = sample.bytes;
    if (sample.bytes > 0) t.minScore = Math.min(t.minScore, sample.score);
  }
}
