import type { Logger } from '../logging.js';
import { Observer } from '../Observer.js';
import { Room } from './Room.js';
import { consumerLimit, type RoomRoutingOptions } from './RoomRouters.js';
import type { WorkerPool } from './WorkerPool.js';

/** The id of the capabilities template room; no session can have it (ids start with "s_"). */
export const TEMPLATE_ROOM = '__template__';

export type RoomRegistryOptions = Pick<RoomRoutingOptions, 'maxConsumersPerRouter'>;

export interface RoomRegistryEvents {
  /** Once per new room (the template room included), before anyone is handed it: subscribe to its events here. */
  'room-created': [room: Room];
}

/**
 * Rooms by session id, created on first use. Concurrent first uses share one creation. Each room may
 * spread its viewers over the pool's other workers (see RoomRouters).
 */
export class RoomRegistry {
  #rooms = new Map<string, Promise<Room>>();
  #ready = new Map<string, Room>();
  /** Signalling and recording follow every new room from here (any number of subscribers). */
  readonly observer: Observer<RoomRegistryEvents>;

  constructor(
    private readonly pool: WorkerPool,
    private readonly log: Logger,
    private readonly opts: RoomRegistryOptions = {},
  ) {
    consumerLimit(opts);
    this.observer = new Observer('RoomRegistry', log);
  }

  get(sessionId: string): Promise<Room> {
    let room = this.#rooms.get(sessionId);
    if (!room) {
      room = Room.create(sessionId, this.pool.pick(), this.log, { ...this.opts, pool: this.pool }).then((r) => {
        this.#ready.set(sessionId, r);
        r.once('closed', (reason) => {
          if (this.#rooms.get(sessionId) === room) this.#rooms.delete(sessionId);
          if (this.#ready.get(sessionId) === r) this.#ready.delete(sessionId);
          this.log.info({ sessionId, worker: r.workerIndex, reason }, 'room closed');
        });
        this.observer.emit('room-created', r);
        return r;
      });
      room.catch(() => this.#rooms.delete(sessionId));
      this.#rooms.set(sessionId, room);
    }
    return room;
  }

  /** A router outside any session, whose capabilities equal every session router's. */
  async template(): Promise<Room> {
    return this.get(TEMPLATE_ROOM);
  }

  /** The room if it exists and is ready; never creates one. */
  peek(sessionId: string): Room | undefined {
    return this.#ready.get(sessionId);
  }

  /** Sessions with a room here (not the template). */
  sessionIds(): string[] {
    return [...this.#ready.keys()].filter((id) => id !== TEMPLATE_ROOM);
  }

  /** Closes the media of every peer matching (those of a node that is gone). */
  closePeersWhere(match: (peerId: string) => boolean): void {
    for (const room of this.#ready.values()) for (const peerId of room.peerIds()) if (match(peerId)) room.closePeer(peerId);
  }

  async close(sessionId: string): Promise<void> {
    const room = this.#rooms.get(sessionId);
    this.#rooms.delete(sessionId);
    (await room?.catch(() => undefined))?.close();
  }

  /** `pretap`: callers' send transports set up before the tap (issue #12); `pretapConnected`: those with DTLS up. */
  mediaCounts(): { producers: number; consumers: number; pretap: number; pretapConnected: number } {
    const sum = { producers: 0, consumers: 0, pretap: 0, pretapConnected: 0 };
    for (const r of this.#ready.values()) {
      const c = r.mediaCounts();
      sum.producers += c.producers;
      sum.consumers += c.consumers;
      sum.pretap += c.pretap;
      sum.pretapConnected += c.pretapConnected;
    }
    return sum;
  }

  get count(): number {
    return this.#rooms.size;
  }
}
