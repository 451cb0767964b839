import dgram from 'node:dgram';

/** A pair of UDP ports for one RTP stream: ffmpeg always listens for RTCP on the RTP port + 1. */
export interface PortPair {
  rtp: number;
  rtcp: number;
}

/** Binds the port exclusively on every interface and lets it go: true when nobody else holds it. */
export async function udpPortIsFree(port: number): Promise<boolean> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: '0.0.0.0', exclusive: true }, () => {
      socket.close(() => resolve(true));
    });
  });
}

/**
 * Hands out UDP port pairs (even RTP port, odd RTCP port) from a configured range and takes them
 * back. A pair is only handed out after both ports were bound successfully, so ports held by other
 * processes (or by mediasoup, whose range may overlap) are skipped. The search starts after the
 * last pair handed out, so a just-released pair is not reused at once.
 */
export class PortAllocator {
  readonly #first: number;
  readonly #last: number;
  readonly #isFree: (port: number) => Promise<boolean>;
  #inUse = new Set<number>();
  #cursor: number;

  constructor(range: readonly [number, number], isFree: (port: number) => Promise<boolean> = udpPortIsFree) {
    const [lo, hi] = range;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1024 || hi > 65535 || lo > hi) {
      throw new RangeError(`invalid port range ${lo}-${hi}`);
    }
    this.#first = lo % 2 === 0 ? lo : lo + 1;
    this.#last = hi;
    if (this.#first + 1 > this.#last) throw new RangeError(`port range ${lo}-${hi} holds no even/odd pair`);
    this.#cursor = this.#first;
    this.#isFree = isFree;
  }

  /** Number of pairs the range holds. */
  get capacity(): number {
    return Math.floor((this.#last - this.#first + 1) / 2);
  }

  /** RTP ports of the pairs currently handed out, ascending. */
  inUse(): number[] {
    return [...this.#inUse].sort((a, b) => a - b);
  }

  async allocate(): Promise<PortPair> {
    for (let tried = 0; tried < this.capacity; tried++) {
      const rtp = this.#cursor;
      this.#cursor = rtp + 3 > this.#last ? this.#first : rtp + 2;
      if (this.#inUse.has(rtp)) continue;
      // Reserved before the (asynchronous) check, so concurrent callers never get the same pair.
      this.#inUse.add(rtp);
      if ((await this.#isFree(rtp)) && (await this.#isFree(rtp + 1))) return { rtp, rtcp: rtp + 1 };
      this.#inUse.delete(rtp);
    }
    throw new Error(`no free UDP port pair in ${this.#first}-${this.#last}`);
  }

  release(pair: PortPair): void {
    this.#inUse.delete(pair.rtp);
  }
}
