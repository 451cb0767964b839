import type { CDPSession } from 'puppeteer-core';

/** Shared by both time-to-first-frame benchmarks, so their figures are computed the same way. */

/** Nearest-rank percentile (p50 of 10 values is the 5th smallest): every figure in the docs uses it. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export interface Stats {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

export function stats(xs: readonly number[]): Stats {
  return { n: xs.length, median: median(xs), p90: percentile(xs, 90), min: Math.min(...xs), max: Math.max(...xs) };
}

export function summarize(label: string, ttff: number[]): string {
  const s = stats(ttff);
  return (
    `\n${label} tap → first decoded frame over ${s.n} runs: median ${s.median.toFixed(0)} ms, p90 ${s.p90.toFixed(0)} ms, ` +
    `min ${s.min.toFixed(0)} ms, max ${s.max.toFixed(0)} ms\n`
  );
}

/** What one sitting (one server, two browsers, a warm-up and then the counted runs) measured. */
export interface Sitting {
  /** Tap → first presented frame, ms, one per counted run. */
  ttff: number[];
  /** Bytes the publishing page received up to the first frame, one per counted run. */
  bytes: number[];
}

/** Counts bytes a page receives over the network (HTTP bodies + headers as sent, WebSocket frames), cache off. */
export async function countBytes(cdp: CDPSession): Promise<{ total(): number }> {
  let total = 0;
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  cdp.on('Network.loadingFinished', (e) => (total += e.encodedDataLength));
  cdp.on('Network.webSocketFrameReceived', (e) => (total += e.response.payloadData.length));
  return { total: () => total };
}

/** Records one run (the first warms caches and is not counted) and prints it. */
export function recordRun(i: number, ms: number, transferred: number, into: Sitting, label = ''): void {
  if (i > 0) {
    into.ttff.push(ms);
    into.bytes.push(transferred);
  }
  process.stdout.write(`${label}run ${i}${i === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms, ${(transferred / 1024).toFixed(1)} KiB\n`);
}
