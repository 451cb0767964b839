import type { CDPSession } from 'puppeteer-core';

/** Shared by both time-to-first-frame benchmarks, so their figures are computed the same way. */
export function summarize(label: string, ttff: number[]): string {
  const sorted = [...ttff].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return (
    `\n${label} tap → first decoded frame over ${ttff.length} runs: median ${pct(50).toFixed(0)} ms, p90 ${pct(90).toFixed(0)} ms, ` +
    `min ${sorted[0]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms\n`
  );
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
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
export function recordRun(i: number, ms: number, transferred: number, into: { ttff: number[]; bytes: number[] }): void {
  if (i > 0) {
    into.ttff.push(ms);
    into.bytes.push(transferred);
  }
  process.stdout.write(`run ${i}${i === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms, ${(transferred / 1024).toFixed(1)} KiB\n`);
}
