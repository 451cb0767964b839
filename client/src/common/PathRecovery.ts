/**
 * What a receive transport does while its media path is down and its signalling socket is up (a
 * Wi-Fi or VPN hiccup on the dispatcher's desk). A policy object, apart from the transport code:
 *
 * 1. `disconnected` is often transient: wait `graceMs`, then restart ICE (`failed`: at once).
 * 2. Still not connected `stepMs` after the restart: rebuild (new transport, new consumers), for a
 *    transport the restart cannot save (the server lost it, or its DTLS state is gone).
 * 3. Still not connected: restart ICE again every `stepMs` for as long as the outage lasts. Each
 *    restart gathers anew and sends fresh checks, so whenever the path heals a check in flight gets
 *    through within about one step; a browser gives up re-checking a failed path by itself.
 * `connected` ends the outage and resets the steps. Steps only run while `wanted()` says there is
 * media to receive (a transport without consumers never connects, and needs no help).
 */
export interface RecoverySteps {
  restartIce(): Promise<void>;
  rebuild(): Promise<void>;
  connected(): boolean;
  wanted(): boolean;
}

export interface RecoveryTiming {
  /** ms between `disconnected` and the first ICE restart. */
  graceMs: number;
  /** ms a step gets to bring the path back before the next one. */
  stepMs: number;
}

/** 1.5 s grace as the caller's publisher uses; 5 s steps keep recovery within ~10 s of the path healing. */
export const DEFAULT_RECOVERY_TIMING: RecoveryTiming = { graceMs: 1500, stepMs: 5000 };

export type RecoveryStep = 'restart-ice' | 'rebuild';

export class PathRecovery {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #running = false;
  #closed = false;
  #observers = new Set<(step: RecoveryStep, attempt: number) => void>();

  constructor(
    private readonly steps: RecoverySteps,
    private readonly timing: RecoveryTiming = DEFAULT_RECOVERY_TIMING,
  ) {}

  /** Observes every step taken (monitoring, tests); returns the unsubscribe. */
  onStep(listener: (step: RecoveryStep, attempt: number) => void): () => void {
    this.#observers.add(listener);
    return () => this.#observers.delete(listener);
  }

  /** Feed of the current transport's connection state. */
  onState(state: string): void {
    if (this.#closed) return;
    if (state === 'connected') return this.#reset();
    if (state === 'disconnected' && this.#timer === undefined && !this.#running) this.#schedule(this.timing.graceMs);
    // `failed` cuts the grace short, but never a step's window: a restart can fail fast, and must not spin.
    else if (state === 'failed' && !this.#running && (this.#timer === undefined || this.#attempt === 0)) this.#schedule(0);
  }

  /** Forgets the outage in progress (the transport was closed on purpose). */
  reset(): void {
    this.#reset();
  }

  close(): void {
    this.#closed = true;
    this.#reset();
  }

  #reset(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#attempt = 0;
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#step(), ms);
  }

  async #step(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed || this.steps.connected() || !this.steps.wanted()) return this.#reset();
    const step: RecoveryStep = this.#attempt === 1 ? 'rebuild' : 'restart-ice';
    const attempt = this.#attempt++;
    for (const o of this.#observers) {
      try {
        o(step, attempt);
      } catch {
        // A broken observer must not stop recovery.
      }
    }
    this.#running = true;
    try {
      if (step === 'rebuild') await this.steps.rebuild();
      else await this.steps.restartIce();
    } catch {
      // The server may be busy or the transport gone: a restart that cannot even be asked for goes
      // straight to a rebuild.
      if (step === 'restart-ice' && attempt !== 0) this.#attempt = 1;
    } finally {
      this.#running = false;
    }
    if (!this.#closed && !this.steps.connected()) this.#schedule(this.timing.stepMs);
  }
}
