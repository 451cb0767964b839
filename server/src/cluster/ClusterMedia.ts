import type { Logger } from '../logging.js';
import { Observer } from '../Observer.js';
import type { RoomRegistry } from '../sfu/RoomRegistry.js';
import type { SessionRecord, Store } from '../store/Store.js';
import { MEDIA_OPS, type LocalMedia, type MediaOpName, type MediaOps } from './MediaOps.js';
import { UnavailableError } from '../errors.js';
import { NodeGoneError, type NodeBus } from './NodeBus.js';
import type { NodeRegistry } from './NodeRegistry.js';

/**
 * How long a node that did not hear a call gets before it counts as gone (with `isSteady`). A live
 * node whose subscriber connection alone dropped, Redis up, is back well within it: node-redis
 * reconnects a connection that was ready at once (no back-off on the first try) and resubscribes
 * before anything else; NodeBus.test.ts "listens again after its Redis connection drops".
 */
const GONE_RETRY_MS = 750;

export interface ClusterMediaDeps {
  store: Store;
  registry: NodeRegistry;
  local: LocalMedia;
  rooms: RoomRegistry;
  /** Absent on a single node (memory mode): everything is local. */
  bus?: NodeBus;
  /** How far back to look for sessions that may still be running (the maximum session lifetime). */
  maxSessionMs: number;
  log: Logger;
}

/** Hears that this node now carries a session whose media was on `from` (a lost node): its clients must rebuild their media. */
export type TakeoverListener = (sessionId: string, from: string) => Promise<void> | void;

export interface ClusterMediaEvents {
  /** This node took the session's media over from `from`, a lost node (see onTakeover). */
  takeover: [sessionId: string, from: string];
}

/**
 * Where a session's media runs: on the node recorded in the session (`mediaNode`), chosen at
 * creation as the least-loaded node. Requests for it that arrive at another node are forwarded
 * over the node bus (a signalling proxy: one public URL, no redirects). When the owner is gone,
 * the first node to notice claims the session with a compare-and-set and runs it from then on.
 */
export class ClusterMedia {
  readonly nodeId: string;
  #ticks = 0;
  readonly observer: Observer<ClusterMediaEvents>;

  constructor(private readonly deps: ClusterMediaDeps) {
    this.nodeId = deps.registry.nodeId;
    this.observer = new Observer('ClusterMedia', deps.log);
    deps.registry.observer.on('tick', (_live, lost, resumed) =>
      this.#afterHeartbeat(lost, resumed).catch((err: Error) => {
        // What failed here is a read of the store, as a failed heartbeat is: the unbroken stretch of
        // store access ends (NodeRegistry's liveness rule), as when this ran inside the heartbeat.
        deps.registry.storeInterrupted();
        deps.log.warn({ err: err.message }, 'heartbeat failed');
      }),
    );
  }

  /**
   * Subscribes to takeovers (any number of listeners). They run one after another in the order
   * subscribed, each awaited, all before the operation that found the owner gone goes on here: the
   * session is marked and its clients told before its media is set up again. A listener that throws
   * is logged and does not stop the others or the operation. Returns the unsubscribe function.
   */
  onTakeover(listener: TakeoverListener): () => void {
    return this.observer.on('takeover', listener);
  }

  /** The node a new session's media should go to. */
  place(): string {
    return this.deps.registry.pick();
  }

  /** The operations for one session's media, wherever it runs. */
  async of(session: SessionRecord): Promise<MediaOps> {
    const owner = session.mediaNode ?? (await this.#claim(session.id, undefined));
    if (owner === this.nodeId || !this.deps.bus) return this.deps.local;
    if (!this.deps.registry.isLive(owner)) return this.#ofAfterTakeover(session.id, owner);
    return this.#remote(session.id, owner);
  }

  /** Runs one operation for a session (the common case of `of`). */
  async run<K extends MediaOpName>(session: SessionRecord, op: K, ...args: Parameters<MediaOps[K]>): Promise<Awaited<ReturnType<MediaOps[K]>>> {
    const ops = await this.of(session);
    return (ops[op] as (...a: unknown[]) => Promise<Awaited<ReturnType<MediaOps[K]>>>)(...args);
  }

  #remote(sessionId: string, owner: string): MediaOps {
    const bus = this.deps.bus!;
    const forward =
      (op: MediaOpName) =>
      async (...args: unknown[]) => {
        try {
          return await bus.call(owner, op, args).catch(async (err: unknown) => {
            // A live node re-subscribing after a dropped Redis connection is briefly deaf too:
            // ask once more before taking its session away.
            if (!(err instanceof NodeGoneError)) throw err;
            await new Promise((r) => setTimeout(r, GONE_RETRY_MS));
            return bus.call(owner, op, args);
          });
        } catch (err) {
          if (!(err instanceof NodeGoneError)) throw err;
          // Deaf is not always dead: right after a Redis outage a live node may still be re-subscribing.
          // Its silence counts only once this node has reached Redis without a break for longer than
          // any live node needs to come back (`isSteady`); before that, only the heartbeat rule may
          // take a session away, and the client retries meanwhile.
          const { registry } = this.deps;
          if (registry.isLive(owner) && !registry.isSteady()) throw new UnavailableError(`media node ${owner} is not answering yet`);
          // The owner is gone: take the session over here and run the operation on the new owner.
          const ops = await this.#ofAfterTakeover(sessionId, owner);
          return (ops[op] as (...a: unknown[]) => Promise<unknown>)(...args);
        }
      };
    return Object.fromEntries(MEDIA_OPS.map((op) => [op, forward(op)])) as unknown as MediaOps;
  }

  async #ofAfterTakeover(sessionId: string, deadOwner: string): Promise<MediaOps> {
    const owner = await this.#claim(sessionId, deadOwner);
    if (owner === this.nodeId) return this.deps.local;
    // Someone else won the claim: the media runs there, never here as well.
    return this.#remote(sessionId, owner);
  }

  /** Claims the session for this node if it is still on `from`; returns the owner afterwards. */
  async #claim(sessionId: string, from: string | undefined): Promise<string> {
    if (await this.deps.store.claimMediaNode(sessionId, from, this.nodeId)) {
      if (from) {
        this.deps.log.warn({ sessionId, from }, 'session media taken over');
        await this.observer.emitAndWait('takeover', sessionId, from);
      }
      return this.nodeId;
    }
    return (await this.deps.store.getSession(sessionId))?.mediaNode ?? this.nodeId;
  }

  /**
   * After each heartbeat: forget peers that lived on lost nodes; adopt sessions whose owner is
   * gone (when this node is where placement would put them); close rooms of sessions that ended
   * or moved away (a node cut off for a while comes back to find its sessions elsewhere; it looks
   * at once on the first heartbeat after the cut, so a session never runs on two nodes for long).
   */
  async #afterHeartbeat(lost: string[], resumed = false): Promise<void> {
    const { rooms, registry, store } = this.deps;
    for (const node of lost) rooms.closePeersWhere((peerId) => peerId.startsWith(`${node}/`));
    // What follows reads the store: every fifth heartbeat, or at once when a node was lost.
    if (lost.length === 0 && !resumed && ++this.#ticks % 5 !== 0) return;
    for (const id of rooms.sessionIds()) {
      const s = await store.getSession(id);
      if (s && (s.status === 'ended' || (s.mediaNode && s.mediaNode !== this.nodeId))) await rooms.close(id);
    }
    if (!this.deps.bus) return;
    const since = new Date(Date.now() - this.deps.maxSessionMs).toISOString();
    for (const s of await store.listSessions({ from: since })) {
      if (s.status === 'ended' || !s.mediaNode || registry.isLive(s.mediaNode)) continue;
      if (registry.pick() === this.nodeId) await this.#claim(s.id, s.mediaNode);
    }
  }
}
