import type { Logger } from '../logging.js';
import type { NodeInfo, Store } from '../store/Store.js';

export interface NodeRegistryOptions {
  nodeId: string;
  /** This node's current load (live consumers) and room count. */
  load: () => { load: number; rooms: number };
  heartbeatMs?: number;
  /** A node whose heartbeat is older than this is dead. */
  ttlMs?: number;
}

/**
 * The cluster's membership, kept in the store: every node renews its heartbeat (with its load)
 * each second; a node that stops renewing drops out after the TTL (Redis expires the key, so no
 * clocks are compared between nodes). Placement picks the least-loaded live node.
 */
export class NodeRegistry {
  #live: NodeInfo[] = [];
  /** Nodes seen live, with how many listings in a row have missed them since. */
  #misses = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  readonly nodeId: string;
  readonly heartbeatMs: number;
  readonly ttlMs: number;
  /** Called after each heartbeat with the nodes that were live before and are not now. */
  onTick: (live: NodeInfo[], lost: string[]) => Promise<void> = async () => {};

  constructor(
    private readonly store: Store,
    private readonly opts: NodeRegistryOptions,
    private readonly log: Logger,
  ) {
    this.nodeId = opts.nodeId;
    this.heartbeatMs = opts.heartbeatMs ?? 1000;
    this.ttlMs = opts.ttlMs ?? 4000;
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

  isLive(nodeId: string): boolean {
    return nodeId === this.nodeId || this.#misses.has(nodeId);
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
    try {
      const me: NodeInfo = { id: this.nodeId, ...this.opts.load(), at: new Date().toISOString() };
      await this.store.putNode(me, this.ttlMs);
      const live = await this.store.listNodes();
      // Lost only when missed twice in a row: right after a Redis outage every heartbeat has
      // lapsed, and the first listing may come before the other nodes have renewed theirs.
      const lost: string[] = [];
      for (const [id, misses] of this.#misses) {
        if (live.some((n) => n.id === id)) continue;
        if (misses + 1 >= 2) {
          this.#misses.delete(id);
          lost.push(id);
        } else this.#misses.set(id, misses + 1);
      }
      for (const n of live) this.#misses.set(n.id, 0);
      this.#live = live;
      for (const id of lost) this.log.warn({ node: id }, 'node lost');
      await this.onTick(live, lost);
    } catch (err) {
      // The store is down: keep the last known membership rather than declaring everyone dead.
      this.log.warn({ err: (err as Error).message }, 'heartbeat failed');
    }
  }
}
