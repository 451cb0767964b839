import type { types } from 'mediasoup';
import { UnavailableError } from '../errors.js';
import type { Logger } from '../logging.js';
import { Observer } from '../Observer.js';
import { MEDIA_CODECS } from './codecs.js';
import { createRouterOn, type WorkerPool, type WorkerSlot } from './WorkerPool.js';

/**
 * mediasoup puts one worker (one core) at roughly 500 consumers; a router is alone on its worker only
 * by luck, so stop short of that and let other rooms on the same worker breathe.
 */
export const DEFAULT_MAX_CONSUMERS_PER_ROUTER = 400;

export interface RoomRoutingOptions {
  /** Where extra routers come from; without it a room keeps every transport on its main router. */
  pool?: WorkerPool;
  /** Consumers a router takes before new receive transports go to a router on another worker. */
  maxConsumersPerRouter?: number;
}

/**
 * Why a room closed, as its routers tell it:
 * - 'closed': Room.close() was called (RoomRegistry.close: its session ended, or its media moved to another node);
 * - 'worker-died': the worker of one of its routers died (mediasoup's 'died'; the pool replaces it, clients rebuild their media);
 * - 'worker-closed': the worker of one of its routers was closed (the pool shutting down);
 * - 'router-closed': one of its routers closed for another reason (none is known today: a router is closed only through the room).
 */
export type RoomClosedReason = 'closed' | 'worker-died' | 'worker-closed' | 'router-closed';

export interface RoomRoutersEvents {
  /** Once, when the first router closed; every other one is closed by then. */
  closed: [reason: RoomClosedReason];
}

/** The consumer limit the options ask for, checked (a bad value fails at start, not at the 401st viewer). */
export function consumerLimit(opts: RoomRoutingOptions): number {
  const limit = opts.maxConsumersPerRouter ?? DEFAULT_MAX_CONSUMERS_PER_ROUTER;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`maxConsumersPerRouter must be a positive integer, not ${limit}`);
  return limit;
}

/** One router of a room, on one worker, and how many consumers it carries or is about to. */
export class RoomRouter {
  /** Producer id -> its pipe from the main router into this one (extra routers only). */
  readonly piped = new Map<string, Promise<void>>();
  /** Receive transports being created here right now. */
  pending = 0;
  #consumers = 0;
  /** Receive transports without a consumer yet: a viewer who joined counts before it consumes. */
  #idleReceivers = new Set<string>();
  #transports = new Set<string>();

  constructor(
    readonly router: types.Router,
    readonly slot: WorkerSlot,
  ) {
    slot.routers++;
    router.observer.once('close', () => slot.routers--);
    router.observer.on('newtransport', (t) => this.#track(t));
  }

  /** Consumers of every kind (WebRTC, recorder, pipe), plus viewers who will consume shortly. */
  get load(): number {
    return this.#consumers + this.#idleReceivers.size + this.pending;
  }

  hasTransport(transportId: string): boolean {
    return this.#transports.has(transportId);
  }

  #track(transport: types.Transport): void {
    this.#transports.add(transport.id);
    if (transport.appData['direction'] === 'recv') this.#idleReceivers.add(transport.id);
    transport.observer.on('newconsumer', (consumer) => {
      this.#consumers++;
      this.#idleReceivers.delete(transport.id);
      consumer.observer.once('close', () => this.#consumers--);
    });
    transport.observer.once('close', () => {
      this.#transports.delete(transport.id);
      this.#idleReceivers.delete(transport.id);
    });
  }
}

/**
 * The routers of one session. The main router takes every send transport (so every producer); once
 * it is full, receive transports go to extra routers on other workers, each fed every producer by
 * `pipeToRouter` (the pipe producer keeps the producer's id, so consuming looks the same everywhere).
 * Any router closing (a worker died, or the room closed) closes them all: clients rebuild their media.
 */
export class RoomRouters {
  readonly main: RoomRouter;
  #extra: RoomRouter[] = [];
  #growing: Promise<RoomRouter | undefined> | undefined;
  #closed = false;
  /** close() was called: the routers close because the room is closed, not from below. */
  #closing = false;
  readonly #limit: number;
  readonly observer: Observer<RoomRoutersEvents>;

  constructor(
    main: types.Router,
    mainSlot: WorkerSlot,
    private readonly opts: RoomRoutingOptions,
    /** The room's current producer ids, to pipe into a new router. */
    private readonly producerIds: () => Iterable<string>,
    private readonly log: Logger,
  ) {
    this.#limit = consumerLimit(opts);
    this.observer = new Observer('RoomRouters', log);
    this.main = this.#adopt(new RoomRouter(main, mainSlot));
  }

  all(): RoomRouter[] {
    return [this.main, ...this.#extra];
  }

  /** The router holding this transport (created through this room), if any. */
  homeOf(transportId: string): RoomRouter | undefined {
    return this.all().find((r) => r.hasTransport(transportId));
  }

  /** Runs `create` on the router a new receive transport belongs on, counting it there meanwhile. */
  async placeReceiver<T>(create: (home: RoomRouter) => Promise<T>): Promise<T> {
    const home = await this.#receiverHome();
    home.pending++;
    try {
      return await create(home);
    } finally {
      home.pending--;
    }
  }

  /** Resolves once `producerId` can be consumed on `home` (at once on the main router). */
  pipe(home: RoomRouter, producerId: string): Promise<void> {
    if (home === this.main) return Promise.resolve();
    let piping = home.piped.get(producerId);
    if (!piping) {
      piping = this.main.router.pipeToRouter({ producerId, router: home.router }).then(({ pipeProducer }) => {
        // The pipe producer closes with the producer (mediasoup chains them); forget it then.
        pipeProducer?.observer.once('close', () => home.piped.delete(producerId));
      });
      piping.catch((err: Error) => {
        home.piped.delete(producerId);
        if (!this.#closed) this.log.warn({ producerId, worker: home.slot.index, err: err.message }, 'pipe to extra router failed');
      });
      home.piped.set(producerId, piping);
    }
    return piping;
  }

  /** A new producer of the room reaches every extra router (consumers wait on the pipe if early). */
  pipeEverywhere(producerId: string): void {
    for (const home of this.#extra) void this.pipe(home, producerId);
  }

  close(): void {
    this.#closing = true;
    for (const r of this.all()) r.router.close();
  }

  async #receiverHome(): Promise<RoomRouter> {
    for (;;) {
      if (this.#closed) throw new UnavailableError('media room closed');
      const open = this.all().find((r) => r.load < this.#limit);
      if (open) return open;
      const grown = await (this.#growing ??= this.#grow().finally(() => (this.#growing = undefined)));
      // No worker left that the room is not on: a second router on the same core would add piping and
      // no capacity, so the least-loaded router takes the viewer over its limit.
      if (!grown) return this.all().reduce((a, b) => (b.load < a.load ? b : a));
    }
  }

  /** An extra router on the least-loaded worker the room is not on yet; undefined if there is none. */
  async #grow(): Promise<RoomRouter | undefined> {
    const taken = new Set(this.all().map((r) => r.slot.index));
    const slot = this.opts.pool?.pickExcept(taken);
    if (!slot) return undefined;
    let router: types.Router;
    try {
      router = await createRouterOn(slot, { mediaCodecs: MEDIA_CODECS, appData: { ...this.main.router.appData } });
    } catch (err) {
      this.log.warn({ worker: slot.index, err: (err as Error).message }, 'cannot create extra router');
      return undefined;
    }
    if (this.#closed) {
      router.close();
      throw new UnavailableError('media room closed');
    }
    const home = this.#adopt(new RoomRouter(router, slot));
    this.#extra.push(home);
    for (const producerId of this.producerIds()) void this.pipe(home, producerId);
    this.log.info({ worker: slot.index, routers: this.#extra.length + 1, limit: this.#limit }, 'room spread to another worker');
    return home;
  }

  #adopt(home: RoomRouter): RoomRouter {
    home.router.observer.once('close', () => {
      if (this.#closed) return;
      this.#closed = true;
      const reason = this.#closedBecause(home);
      this.close();
      this.observer.emit('closed', reason);
    });
    return home;
  }

  /** Read before the other routers are closed: mediasoup marks a worker dead (or closed) before closing its routers. */
  #closedBecause(first: RoomRouter): RoomClosedReason {
    if (this.#closing) return 'closed';
    if (first.slot.worker.died) return 'worker-died';
    return first.slot.worker.closed ? 'worker-closed' : 'router-closed';
  }
}
