import type { Logger } from './logging.js';

/**
 * Event name → the listener's arguments, e.g. `interface E { 'room-created': [room: Room] }`. Written
 * as a mapped constraint, not `Record<string, unknown[]>`: an index signature would let any name through.
 */
export type EventMap<Events> = { [K in keyof Events]: unknown[] };

/** A listener may return a promise: a rejection is logged like a throw, never left unhandled. */
export type Listener<Args extends unknown[]> = (...args: Args) => void | Promise<void>;

/**
 * A typed observer with any number of subscribers, in the spirit of mediasoup's `observer` and
 * `safeEmit`: whoever emits is never failed by a listener. Unlike Node's EventEmitter (which stops at
 * the first listener that throws and rethrows to the emitter), every listener is called, in the order
 * it subscribed; one that throws, or whose promise rejects, is logged (error level, with the
 * observer's name and the event) and the others still run.
 *
 * Why not a single `onX = fn` slot: a second subscriber silently replaced the first (issue #13).
 */
export class Observer<Events extends EventMap<Events>> {
  #listeners = new Map<keyof Events, Listener<never>[]>();

  /** `name` says whose events these are in the log line of a failed listener (e.g. 'RoomRegistry'). */
  constructor(
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  /** Subscribes; returns the unsubscribe function. The same function subscribed twice is called twice. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener as Listener<never>]);
    return () => this.off(event, listener);
  }

  /** Unsubscribes one subscription of `listener` (no-op when it has none). */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const list = this.#listeners.get(event) ?? [];
    const at = list.lastIndexOf(listener as Listener<never>);
    if (at >= 0) this.#listeners.set(event, [...list.slice(0, at), ...list.slice(at + 1)]);
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /**
   * Calls every listener now, synchronously, in subscription order; does not wait for their
   * promises (a rejection is logged when it comes). Never throws.
   */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of this.#snapshot(event)) {
      const failed = (err: unknown) => this.#failed(event, err);
      try {
        const result = (listener as Listener<Events[K]>)(...args);
        if (result instanceof Promise) result.catch(failed);
      } catch (err) {
        failed(err);
      }
    }
  }

  /**
   * Calls the listeners one after another, each awaited before the next, and resolves once the last
   * has settled: for an emitter whose next step must follow its subscribers' work (NodeRegistry's
   * heartbeat). Never rejects.
   */
  async emitAndWait<K extends keyof Events>(event: K, ...args: Events[K]): Promise<void> {
    for (const listener of this.#snapshot(event)) {
      try {
        await (listener as Listener<Events[K]>)(...args);
      } catch (err) {
        this.#failed(event, err);
      }
    }
  }

  /** The listeners as of the emit: one that (un)subscribes others while called changes the next emit, not this one. */
  #snapshot(event: keyof Events): readonly Listener<never>[] {
    return this.#listeners.get(event) ?? [];
  }

  #failed(event: keyof Events, err: unknown): void {
    this.log.error({ observer: this.name, event: String(event), err: err instanceof Error ? err.message : String(err) }, 'observer listener failed');
  }
}
