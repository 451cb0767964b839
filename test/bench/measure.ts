import type { CDPSession, Page } from 'puppeteer-core';

/** Shared by both time-to-first-frame benchmarks, so their figures are computed the same way. */

/**
 * READ_MS: how long the caller reads the page before tapping, in ms, the same on every side. The
 * default 0 taps the moment the button is enabled, the method every earlier figure used; a real
 * caller reads the consent text first, and that time is free for what needs no consent (Sightline's
 * pre-tap connection; bare loads its Device then too). Not a positive integer or 0: an error.
 */
export const READ_MS = (() => {
  const v = Number(process.env['READ_MS'] ?? 0);
  if (!Number.isInteger(v) || v < 0) throw new Error(`READ_MS must be a whole number of ms, got ${process.env['READ_MS']}`);
  return v;
})();

/** The caller's reading time before the tap (READ_MS). */
export function readThePage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, READ_MS));
}

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
  /** When each step was reached, ms after the tap, one per counted run (a step missing from a run is absent). */
  steps: StepTimes[];
}

/** Step name (a `sightline:<step>` mark of either page, or `first-frame`, or a server figure) → ms. */
export type StepTimes = Record<string, number>;

/**
 * The page's `sightline:<step>` marks (client/src/common/marks.ts) as wall-clock ms (timeOrigin +
 * startTime: both browsers run on this machine's clock), the first of each name; marks another
 * session left (`detail.sessionId`) are skipped.
 */
export async function readMarks(page: Page, sessionId?: string): Promise<StepTimes> {
  return page.evaluate((id) => {
    const out: Record<string, number> = {};
    for (const m of performance.getEntriesByType('mark') as PerformanceMark[]) {
      if (!m.name.startsWith('sightline:')) continue;
      const markSession = (m.detail as { sessionId?: string } | null)?.sessionId;
      if (id && markSession && markSession !== id) continue;
      const step = m.name.slice('sightline:'.length);
      out[step] ??= performance.timeOrigin + m.startTime;
    }
    return out;
  }, sessionId);
}

/**
 * The server's own figures for one run (server/src/metrics/Metrics.ts), from two scrapes of its
 * /metrics, before the tap and after the first frame: the consent record's write in parts
 * (`server:consent-<part>`, ms) and the mean fdatasync of the log appends in between
 * (`server:fdatasync`, ms). Durations, not times after the tap.
 */
export async function scrapeServer(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(
    /^(sightline_event_write_seconds_sum\{type="consent_given",part="(\w+)"\}|sightline_log_fdatasync_seconds_(?:sum|count)) (\S+)$/gm,
  )) {
    out.set(m[2] ? `consent-${m[2]}` : m[1]!, Number(m[3]));
  }
  return out;
}

export function serverFigures(before: Map<string, number>, after: Map<string, number>): StepTimes {
  const delta = (k: string) => (after.get(k) ?? 0) - (before.get(k) ?? 0);
  const out: StepTimes = {};
  for (const part of ['queued', 'store', 'log']) out[`server:consent-${part}`] = delta(`consent-${part}`) * 1000;
  const syncs = delta('sightline_log_fdatasync_seconds_count');
  if (syncs > 0) out['server:fdatasync'] = (delta('sightline_log_fdatasync_seconds_sum') / syncs) * 1000;
  return out;
}

/** Wall-clock marks relative to the tap (ms after it). */
export function sinceTap(tappedAt: number, ...marks: StepTimes[]): StepTimes {
  const out: StepTimes = {};
  for (const m of marks) for (const [k, v] of Object.entries(m)) out[k] ??= v - tappedAt;
  return out;
}

/**
 * The path after the tap, in the order the steps happen, and the intervals printed for it: `from`
 * → `to` on the pages' marks (a step a side lacks, such as bare's consent, prints as "–").
 */
export const STEPS: readonly { label: string; from: string; to: string }[] = [
  { label: 'redeem round trip (consent record included)', from: 'tap', to: 'consent' },
  { label: 'camera opens (getUserMedia)', from: 'tap', to: 'camera' },
  { label: 'send transport connected (ICE + DTLS), after the tap (negative: before it)', from: 'tap', to: 'send-connected' },
  { label: 'produce acknowledged, after the tap', from: 'tap', to: 'produced' },
  { label: 'producer acknowledged → console told', from: 'produced', to: 'producer-announced' },
  { label: 'console told → consumer parameters', from: 'producer-announced', to: 'consume-answered' },
  { label: 'consumer parameters → local consumer', from: 'consume-answered', to: 'consumer-created' },
  { label: '  of which: SDP offer and answer, until the DTLS parameters go out', from: 'consume-answered', to: 'recv-dtls-sent' },
  { label: '  of which: the DTLS parameters round trip (first consumer only)', from: 'recv-dtls-sent', to: 'recv-dtls-answered' },
  { label: '  of which: the local description, until the consumer is ready', from: 'recv-dtls-answered', to: 'consumer-created' },
  { label: 'local consumer → resume acknowledged', from: 'consumer-created', to: 'consumer-resumed' },
  { label: 'resume acknowledged → first frame presented', from: 'consumer-resumed', to: 'first-frame' },
  { label: 'local consumer → receive transport connected (ICE + DTLS)', from: 'consumer-created', to: 'recv-connected' },
  { label: 'receive transport connected → first frame presented (key frame round)', from: 'recv-connected', to: 'first-frame' },
  { label: 'tap → first frame presented (headline)', from: 'tap', to: 'first-frame' },
];

/** The intervals of STEPS in each run (`from` the tap is 0 by definition). */
export function intervals(runs: readonly StepTimes[], from: string, to: string): number[] {
  return runs.flatMap((r) => {
    const a = from === 'tap' ? 0 : r[from];
    const b = r[to];
    return a === undefined || b === undefined ? [] : [b - a];
  });
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
export function recordRun(i: number, ms: number, transferred: number, into: Sitting, label = '', steps: StepTimes = {}): void {
  if (i > 0) {
    into.ttff.push(ms);
    into.bytes.push(transferred);
    into.steps.push({ ...steps, 'first-frame': ms });
  }
  process.stdout.write(`${label}run ${i}${i === 0 ? ' (warm-up)' : ''}: ${ms.toFixed(0)} ms, ${(transferred / 1024).toFixed(1)} KiB\n`);
}
