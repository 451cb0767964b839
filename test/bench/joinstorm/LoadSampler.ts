/**
 * A node's event-loop lag and CPU during a storm, read from its own /metrics (prom-client's default
 * Node metrics, prefixed `sightline_`). prom-client's lag histogram (monitorEventLoopDelay, 10 ms
 * resolution) is reset at each scrape, so scraping once a second gives each second's p99 and max.
 */
export interface LoadSample {
  /** Worst per-second p99 of the event-loop delay, ms. */
  lagP99Ms: number;
  /** Longest single event-loop delay seen, ms. */
  lagMaxMs: number;
  /** CPU seconds (user + system) the node process used over the sampling. */
  cpuSeconds: number;
  /** Wall seconds the sampling covered. */
  wallSeconds: number;
}

const metric = (text: string, name: string): number => {
  const m = new RegExp(`^sightline_${name} ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
};

export class LoadSampler {
  #timer: ReturnType<typeof setInterval> | undefined;
  #p99 = 0;
  #max = 0;
  #cpu0 = Number.NaN;
  #cpu = Number.NaN;
  #t0 = 0;
  #busy = false;

  constructor(private readonly nodeUrl: string) {}

  /** Scrapes once (which resets the histogram), then every `everyMs`. */
  async start(everyMs = 1000): Promise<void> {
    this.#t0 = Date.now();
    const text = await this.#scrape();
    this.#cpu0 = metric(text, 'process_cpu_seconds_total');
    this.#timer = setInterval(() => void this.#sample(), everyMs);
  }

  async stop(): Promise<LoadSample> {
    clearInterval(this.#timer);
    await this.#sample();
    return { lagP99Ms: this.#p99 * 1000, lagMaxMs: this.#max * 1000, cpuSeconds: this.#cpu - this.#cpu0, wallSeconds: (Date.now() - this.#t0) / 1000 };
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const text = await this.#scrape();
      this.#p99 = Math.max(this.#p99, metric(text, 'nodejs_eventloop_lag_p99_seconds') || 0);
      this.#max = Math.max(this.#max, metric(text, 'nodejs_eventloop_lag_max_seconds') || 0);
      this.#cpu = metric(text, 'process_cpu_seconds_total');
    } catch {
      // A scrape that failed under load is a missing second, not a failed storm.
    } finally {
      this.#busy = false;
    }
  }

  async #scrape(): Promise<string> {
    return (await fetch(`${this.nodeUrl}/metrics`)).text();
  }
}
