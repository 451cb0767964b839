import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from '../logging.js';
import { Observer } from '../Observer.js';

export interface WorkerPoolOptions {
  workers: number;
  listenIp: string;
  announcedIp: string;
  /** Worker i listens on basePort + i (UDP and TCP) through its WebRtcServer. */
  basePort: number;
}

/**
 * The socket buffers each worker's WebRtcServer asks the kernel for (SO_RCVBUF / SO_SNDBUF), in bytes;
 * Linux doubles the figure for its own bookkeeping and caps the ask at net.core.rmem_max / wmem_max.
 *
 * Why: one UDP socket per worker carries every caller, console and viewer on it. At 125 sessions a
 * core (`npm run bench:capacity`) that is about 190 Mbit/s in and 375 Mbit/s out, which fills
 * Debian's default 208 KiB receive buffer in under 10 ms of a worker that is not reading (the
 * recording bench saw RcvbufErrors on the callers' way into a loaded worker). 2 MiB rides out about
 * 80 ms at that rate, and needs the same host setting as the recorder's ffmpeg
 * (recording/receiveBuffer.ts): net.core.rmem_max and wmem_max ≥ 2097152.
 */
export const WEBRTC_SERVER_SOCKET_BUFFER_BYTES = 2 * 1024 * 1024;

export interface WorkerPoolEvents {
  /** The slot whose worker died now runs a new one. */
  'worker-replaced': [index: number];
}

export interface WorkerSlot {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  routers: number;
}

/**
 * Makes a router on the slot's worker, counted there while it is being made: pick() compares router
 * counts, which RoomRouter raises only once the router exists, so without this every room of a burst
 * of joins went to the same worker (found by the capacity bench).
 */
export async function createRouterOn(slot: WorkerSlot, options: types.RouterOptions): Promise<types.Router> {
  slot.routers++;
  try {
    return await slot.worker.createRouter(options);
  } finally {
    slot.routers--;
  }
}

/**
 * One mediasoup worker per core, each with one WebRtcServer so a deployment opens one RTC port per
 * worker instead of a range. A worker that dies is replaced in its slot; the process never exits for it.
 */
export class WorkerPool {
  #slots: (WorkerSlot | undefined)[] = [];
  #closed = false;
  /** 'worker-replaced': a worker died and a new one runs in its slot (the rooms on the dead one are gone). */
  readonly observer: Observer<WorkerPoolEvents>;

  private constructor(
    private readonly opts: WorkerPoolOptions,
    private readonly log: Logger,
  ) {
    this.observer = new Observer('WorkerPool', log);
  }

  static async start(opts: WorkerPoolOptions, log: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(opts, log);
    for (let i = 0; i < opts.workers; i++) pool.#slots[i] = await pool.#spawn(i);
    return pool;
  }

  async #spawn(index: number): Promise<WorkerSlot> {
    // Ports 50000+ are left to the recorders' ffmpeg processes.
    const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 10000, rtcMaxPort: 49999 });
    const port = this.opts.basePort + index;
    const buffers = { recvBufferSize: WEBRTC_SERVER_SOCKET_BUFFER_BYTES, sendBufferSize: WEBRTC_SERVER_SOCKET_BUFFER_BYTES };
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [
        { protocol: 'udp', ip: this.opts.listenIp, announcedAddress: this.opts.announcedIp, port, ...buffers },
        { protocol: 'tcp', ip: this.opts.listenIp, announcedAddress: this.opts.announcedIp, port, ...buffers },
      ],
    });
    const slot: WorkerSlot = { index, worker, webRtcServer, routers: 0 };
    worker.on('died', (err) => void this.#replace(slot, err));
    this.log.info({ worker: index, pid: worker.pid, port }, 'mediasoup worker started');
    return slot;
  }

  async #replace(slot: WorkerSlot, err: Error): Promise<void> {
    if (this.#closed) return;
    this.log.error({ worker: slot.index, pid: slot.worker.pid, err: err.message }, 'mediasoup worker died; replacing it');
    this.#slots[slot.index] = undefined;
    // The dead worker's port is released by the kernel with the process; retry briefly if it lingers.
    for (let attempt = 0; attempt < 5 && !this.#closed; attempt++) {
      try {
        this.#slots[slot.index] = await this.#spawn(slot.index);
        this.observer.emit('worker-replaced', slot.index);
        return;
      } catch (e) {
        this.log.warn({ worker: slot.index, err: (e as Error).message }, 'worker restart failed; retrying');
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
    }
  }

  /** The live worker with the fewest routers. */
  pick(): WorkerSlot {
    const best = this.pickExcept(new Set());
    if (!best) throw new Error('no mediasoup worker is running');
    return best;
  }

  /**
   * The live worker with the fewest routers among those whose index is not in `taken`, or undefined
   * when every live worker is taken (a room spreading its viewers asks for a worker it is not on yet).
   */
  pickExcept(taken: ReadonlySet<number>): WorkerSlot | undefined {
    const free = this.#slots.filter((s): s is WorkerSlot => s !== undefined && !taken.has(s.index));
    return free.sort((a, b) => a.routers - b.routers)[0];
  }

  /** Rooms per worker slot (0 for a slot whose worker is being replaced). */
  load(): number[] {
    return this.#slots.map((s) => s?.routers ?? 0);
  }

  get size(): number {
    return this.#slots.filter(Boolean).length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const slot of this.#slots) slot?.worker.close();
    this.#slots = [];
  }
}
