import type { LumaFrame } from './analyseWindow.js';
import { CprEstimator, type CprPauseReport, type CprReading, type CprRules, type CprWindowReport } from './CprEstimator.js';

/** Messages to the estimator's worker. */
export type ToEstimator =
  { kind: 'rules'; rules: CprRules } | { kind: 'frame'; t: number; luma: Uint8Array } | { kind: 'advance'; t: number } | { kind: 'stop'; t: number };
type FromEstimator =
  { kind: 'reading'; value: CprReading } | { kind: 'window'; value: CprWindowReport } | { kind: 'pause'; value: CprPauseReport } | { kind: 'stopped' };

/**
 * A CprEstimator for the console: in a Web Worker where the browser has one (its analysis then never
 * runs on the thread that draws the video and takes clicks), else on this thread. Same observers,
 * same order of reports; `stop` resolves once the last window and pause have been observed.
 */
export class CprMeasurement {
  readonly readings = new Set<(r: CprReading) => void>();
  readonly windows = new Set<(w: CprWindowReport) => void>();
  readonly pauses = new Set<(p: CprPauseReport) => void>();
  #worker: Worker | undefined;
  #local: CprEstimator | undefined;
  #stopped: (() => void) | undefined;

  constructor(rules: CprRules) {
    try {
      this.#worker = new Worker(new URL('./estimator.worker.ts', import.meta.url), { type: 'module' });
      this.#worker.addEventListener('message', (e: MessageEvent<FromEstimator>) => this.#receive(e.data));
      this.#worker.postMessage({ kind: 'rules', rules } satisfies ToEstimator);
    } catch {
      // No workers here (or refused): the same estimator on this thread.
      const local = new CprEstimator(rules);
      local.readings.add((value) => this.#receive({ kind: 'reading', value }));
      local.windows.add((value) => this.#receive({ kind: 'window', value }));
      local.pauses.add((value) => this.#receive({ kind: 'pause', value }));
      this.#local = local;
    }
  }

  /** Whether the analysis runs in a worker. */
  get inWorker(): boolean {
    return this.#worker !== undefined;
  }

  push(frame: LumaFrame & { luma: Uint8Array }): void {
    if (this.#worker) this.#worker.postMessage({ kind: 'frame', t: frame.t, luma: frame.luma } satisfies ToEstimator, [frame.luma.buffer]);
    else this.#local?.push(frame);
  }

  advance(t: number): void {
    if (this.#worker) this.#worker.postMessage({ kind: 'advance', t } satisfies ToEstimator);
    else this.#local?.advance(t);
  }

  /** Stops at `t`: the window so far and an open pause are reported first. Resolves when they have been (or after 2 s). */
  stop(t: number): Promise<void> {
    if (!this.#worker) {
      this.#local?.stop(t);
      return Promise.resolve();
    }
    const worker = this.#worker;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        worker.terminate();
        resolve();
      };
      const timer = setTimeout(done, 2000);
      this.#stopped = done;
      worker.postMessage({ kind: 'stop', t } satisfies ToEstimator);
    });
  }

  /** Drops everything at once: nothing more is reported. */
  discard(): void {
    this.readings.clear();
    this.windows.clear();
    this.pauses.clear();
    this.#worker?.terminate();
    this.#local = undefined;
  }

  #receive(m: FromEstimator): void {
    if (m.kind === 'stopped') return this.#stopped?.();
    const observers: Set<(v: never) => void> = m.kind === 'reading' ? this.readings : m.kind === 'window' ? this.windows : this.pauses;
    for (const o of [...observers]) {
      try {
        o(m.value as never);
      } catch {
        // One observer's fault stops neither the others nor the measurement.
      }
    }
  }
}
