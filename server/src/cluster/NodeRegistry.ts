import type { Logger } from '../logging.js';
import { Observer } from '../Observer.js';
import type { NodeInfo, Store } from '../store/Store.js';

export interface NodeRegistryOptions {
  nodeId: string;
  /** This node's current load (live consumers) and room count. */
  load: () => { load: number; rooms: number };
  heartbeatMs?: number;
  /** A heartbeat not renewed within this lapses (the store expires it). */
  ttlMs?: number;
  /**
   * How long a node must have been missing from the listings (its heartbeat has lapsed: no renewal
   * for a TTL), all that time with this node reaching the store without a break, before it counts
   * as lost (default: two heartbeats, so one unlucky listing is not enough).
   */
  missMs?: number;
  /**
   * How long this node must have reached the store without a break before it judges anyone: the
   * time every live node needs to reconnect and renew after a Redis outage. Default 6 s: node-redis
   * reconnects at most 2.2 s after Redis is back (its default back-off: 50 ms doubling to 2 s, plus
   * up to 200 ms jitter), then renews within a heartbeat, then this node lists it within another.
   */
  rejoinMs?: number;
  /** Monotonic clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

export interface NodeRegistryEvents {
  /**
   * After each good heartbeat, with the live nodes and those lost at it; `resumed` is true on the
   * first heartbeat of a new stretch (after a start, or after the store was out of reach or slow:
   * what changed meanwhile is worth a look at once). The next heartbeat waits for its listeners.
   */
  tick: [live: NodeInfo[], lost: string[], resumed: boolean];
}

/**
 * The cluster's membership, kept in the store: every node renews its heartbeat (with its load)
 * each second; a node that stops renewing drops out of the listing after the TTL (Redis expires
 * the key, so no clocks are compared between nodes). Placement picks the least-loaded live node.
 *
 * The liveness rule (issue #10, kind 13): a node is lost only once it has been missing for
 * `missMs` within a stretch in which this node itself reached the store without a break, and that
 * stretch has lasted `rejoinMs` (so the others had time to come back after an outage). A
 * failed heartbeat, a slow one (> one heartbeat interval), a gap between heartbeats (> two
 * intervals) or a reported connection drop (`storeInterrupted`) ends the stretch, and the next one
 * starts at the next good heartbeat. So when Redis restarts, every node starts counting afresh once
 * it is back, and a live node that reconnects a little later than another (each has its own
 * back-off) is listed again long before it could be judged lost. Only absence seen from a working
 * store counts; this node's own blindness never does.
 */
export class NodeRegistry {
  #live: NodeInfo[] = [];
  /** Nodes seen and not declared lost, with when (this clock) a listing last held them. */
  #lastSeen = new Map<string, number>();
  /** Declared lost and not listed since. */
  #lost = new Set<string>();
  /** Start of the current unbroken stretch of store access; undefined while broken. */
  #reachableSince: number | undefined;
  /** When the last good heartbeat ended. */
  #lastGood: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  readonly #now: () => number;
  readonly nodeId: string;
  readonly heartbeatMs: number;
  readonly ttlMs: number;
  readonly missMs: number;
  readonly rejoinMs: number;
  /** 'tick' after each good heartbeat (NodeRegistryEvents); a listener's failure is logged, never the heartbeat's. */
  readonly observer: Observer<NodeRegistryEvents>;

  constructor(
    private readonly store: Store,
    private readonly opts: NodeRegistryOptions,
    private readonly log: Logger,
  ) {
    this.nodeId = opts.nodeId;
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.ttlMs = opts.ttlMs ?? 4000;
    this.missMs = opts.missMs ?? 2 * this.heartbeatMs;
    this.rejoinMs = opts.rejoinMs ?? 6000;
    this.#now = opts.now ?? (() => performance.now());
    this.observer = new Observer('NodeRegistry', log);
  }

  /** The store connection dropped (or errored): the current stretch of store access ends here. */
  storeInterrupted(): void {
    this.#reachableSince = undefined;
  }

  async start(): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.heartbeatMs);
    this.#timer.unref();
  }

  /** Stops the heartbeat and leaves the cluster, so the others adopt this node's sessions sooner. */
  async leave(): Promise<void> {
    clearInterval(this.#timer);
    const leaving = (async () => {
      await this.#ticking?.catch(() => undefined);
      await this.store.removeNode(this.nodeId).catch(() => undefined);
    })();
    // With Redis down, shutting down must not wait for it: the heartbeat lapses by itself.
    await Promise.race([leaving, new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  /** Nodes live at the last heartbeat (this one included). */
  get live(): readonly NodeInfo[] {
    return this.#live;
  }

  /**
   * Whether a node may still be alive: this node, or one not (yet) lost by the rule above. A node
   * never seen counts as missing since the stretch began (right after a start or a Redis outage the
   * others may not have renewed yet; `rejoinMs` gives them the time). Judged as of this node's last
   * good heartbeat, not the clock: between heartbeats, or while one is overdue (a busy event loop, a
   * slow store), this node has not looked, and time it did not look is no absence it saw (a join
   * storm had live nodes taking each other's sessions over).
   */
  isLive(nodeId: string): boolean {
    if (nodeId === this.nodeId) return true;
    return !this.#lost.has(nodeId) && (this.#lastGood === undefined || !this.#isLost(nodeId, this.#lastGood));
  }

  /**
   * Whether this node has reached the store without a break for at least `rejoinMs`, up to now (its
   * last good heartbeat no more than two intervals ago). Then every live node has had the time to
   * reconnect after an outage, its node-bus subscription included (node-redis resubscribes as part
   * of reconnecting, on the same back-off as the heartbeat's connection), so a node whose bus channel
   * has no listener now is not merely coming back: `ClusterMedia` may take its sessions at once
   * instead of waiting for its heartbeat to lapse (issue #10, kind 13: failover in ~2 s, not ~8 s).
   */
  isSteady(): boolean {
    const now = this.#now();
    const since = this.#reachableSince;
    return since !== undefined && this.#lastGood !== undefined && now - since >= this.rejoinMs && now - this.#lastGood <= 2 * this.heartbeatMs;
  }

  #isLost(nodeId: string, at: number): boolean {
    const since = this.#reachableSince;
    if (since === undefined || at - since < this.rejoinMs) return false;
    return at - Math.max(this.#lastSeen.get(nodeId) ?? -Infinity, since) >= this.missMs;
  }

  /** The least-loaded live node; ties go to fewer rooms, then to the lower id, so every node agrees. */
  pick(): string {
    const candidates = this.#live.length ? this.#live : [{ id: this.nodeId, ...this.opts.load(), at: '' }];
    return [...candidates].sort((a, b) => a.load - b.load || a.rooms - b.rooms || a.id.localeCompare(b.id))[0]!.id;
  }

  /** One heartbeat; overlapping calls share it (a slow Redis must not pile them up). */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const started = this.#now();
    try {
      const me: NodeInfo = { id: this.nodeId, ...this.opts.load(), at: new Date().toISOString() };
      await this.store.putNode(me, this.ttlMs);
      const live = await this.store.listNodes();
      const at = this.#now();
      const unbroken =
        this.#reachableSince !== undefined &&
        this.#lastGood !== undefined &&
        at - started <= this.heartbeatMs &&
        started - this.#lastGood <= 2 * this.heartbeatMs;
      if (!unbroken) this.#reachableSince = at;
      this.#lastGood = at;
      for (const n of live) {
        this.#lastSeen.set(n.id, at);
        this.#lost.delete(n.id);
      }
      const lost = [...this.#lastSeen.keys()].filter((id) => id !== this.nodeId && this.#isLost(id, at));
      for (const id of lost) {
        this.log.warn({ node: id, missingMs: Math.round(at - this.#lastSeen.get(id)!), reachableMs: Math.round(at - this.#reachableSince!) }, 'node lost');
        this.#lastSeen.delete(id);
        this.#lost.add(id);
      }
      this.#live = live;
      // Inside the shared tick: the next heartbeat starts only once the listeners are done.
      await this.observer.emitAndWait('tick', live, lost, !unbroken);
    } catch (err) {
      // The store is out of reach: keep the last known membership, and judge nobody until it is back.
      this.storeInterrupted();
      this.log.warn({ err: (err as Error).message }, 'heartbeat failed');
    }
  }
}
