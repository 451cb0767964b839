/**
 * Join storm (issue #12, item 3): SESSIONS sessions created by dispatchers, their callers joined and
 * the consoles' consumers attached, within WINDOW_S seconds, over the real REST API and real
 * socket.io connections to the server processes as `npm start` runs them (Node clients on
 * mediasoup-client's fake handler: no ICE, DTLS or RTP; see ./joinstorm/actors.ts). Two arrival
 * patterns: "spread", SESSIONS arrival times drawn uniformly over the window (a Poisson process
 * given its count; fixed seed), and "burst", every session at once. First on one node, then on two
 * nodes sharing a redis-server, half the callers on the node that does not own their session.
 * Prints p50/p99 join latency, failures with reasons and the server's event-loop lag. Never fails
 * on timing.
 *
 *   npm run bench:joinstorm          SESSIONS=200 WINDOW_S=60 DISPATCHERS=25 PATTERNS=spread,burst TOPOLOGIES=one,two
 */
import { percentile } from './measure.js';
import { oneNode, runStorm, twoNodes, type StormResult, type Topology } from './joinstorm/storm.js';

const SESSIONS = positive('SESSIONS', 200);
const WINDOW_S = positive('WINDOW_S', 60);
const DISPATCHERS = positive('DISPATCHERS', 25);
const WARM_UP = 3;
const PATTERNS = list('PATTERNS', ['spread', 'burst']);
const TOPOLOGIES = list('TOPOLOGIES', ['one', 'two']);

function positive(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return v;
}

function list(name: string, fallback: string[]): string[] {
  return process.env[name] ? process.env[name]!.split(',').map((s) => s.trim()) : fallback;
}

/** mulberry32: a small seeded generator, so every run draws the same arrival times. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function arrivals(pattern: string): number[] {
  if (pattern === 'burst') return Array.from({ length: SESSIONS }, () => 0);
  if (pattern === 'spread') {
    const rand = seeded(12);
    return Array.from({ length: SESSIONS }, () => rand() * WINDOW_S * 1000).sort((a, b) => a - b);
  }
  throw new Error(`unknown pattern ${pattern} (spread, burst)`);
}

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const pct = (xs: number[], p: number) => f0(percentile(xs, p));

function row(r: StormResult): string {
  const ok = r.sessions.filter((s) => !s.failure);
  const pick = (k: 'createMs' | 'joinMs' | 'consoleMs' | 'doneAtMs', only = ok) => only.map((s) => s[k]!).filter((x) => x !== undefined);
  const cross = ok.filter((s) => s.callerCrossNode);
  const lag = r.load.map((l) => `${l.node} ${f0(l.sample.lagP99Ms)} / ${f0(l.sample.lagMaxMs)}`).join('; ');
  const cpu = r.load.map((l) => `${l.node} ${(l.sample.cpuSeconds / l.sample.wallSeconds).toFixed(2)}`).join('; ');
  const cpuPerSession = (r.load.reduce((sum, l) => sum + l.sample.cpuSeconds, 0) * 1000) / r.sessions.length;
  const lastDone = Math.max(...pick('doneAtMs'));
  return (
    `| ${r.topology} | ${r.pattern} | ${ok.length}/${r.sessions.length} | ${pct(pick('joinMs'), 50)} / ${pct(pick('joinMs'), 99)} | ` +
    `${pct(pick('consoleMs'), 50)} / ${pct(pick('consoleMs'), 99)} | ` +
    (cross.length ? `${pct(pick('joinMs', cross), 50)} / ${pct(pick('joinMs', cross), 99)}` : '–') +
    ` | ${pct(pick('createMs'), 50)} / ${pct(pick('createMs'), 99)} | ${(lastDone / 1000).toFixed(1)} s | ${lag} | ${cpu} | ${f0(cpuPerSession)} | ${(r.clientCpuSeconds / r.wallSeconds).toFixed(2)} |`
  );
}

function failures(r: StormResult): string {
  const failed = r.sessions.filter((s) => s.failure);
  const warned = [...r.warnings].map(([what, n]) => `  ${n} × ${what}`).join('\n');
  const warnings = warned ? `server warnings, ${r.topology}, ${r.pattern}:\n${warned}\n` : '';
  if (failed.length === 0) return warnings;
  const byReason = new Map<string, number>();
  for (const s of failed) byReason.set(s.failure!, (byReason.get(s.failure!) ?? 0) + 1);
  return `failures, ${r.topology}, ${r.pattern}:\n` + [...byReason].map(([reason, n]) => `  ${n} × ${reason}`).join('\n') + '\n' + warnings;
}

function deploy(topology: string): Promise<Topology> {
  if (topology === 'one') return oneNode(DISPATCHERS);
  if (topology === 'two') return twoNodes(DISPATCHERS);
  throw new Error(`unknown topology ${topology} (one, two)`);
}

async function main(): Promise<void> {
  const results: StormResult[] = [];
  for (const t of TOPOLOGIES) {
    for (const pattern of PATTERNS) {
      // A fresh deployment per storm: nothing left over from the previous one (sessions, limits, rooms).
      const topo: Topology = await deploy(t);
      try {
        process.stdout.write(
          `\n== ${topo.name}, ${pattern}: ${SESSIONS} sessions over ${pattern === 'burst' ? '0' : WINDOW_S} s, ${DISPATCHERS} dispatchers ==\n`,
        );
        const r = await runStorm(topo, pattern, arrivals(pattern), { dispatchers: DISPATCHERS, warmUp: WARM_UP });
        results.push(r);
        process.stdout.write(`${row(r)}\n${failures(r)}`);
      } finally {
        await topo.stop();
      }
    }
  }
  process.stdout.write(
    `\n== join storm: ${SESSIONS} sessions, ${DISPATCHERS} dispatchers, nearest-rank percentiles, ms ==\n` +
      `| deployment | arrivals | sessions through | caller join p50 / p99 | console consumer p50 / p99 | caller on the non-owner node: join p50 / p99 | create p50 / p99 | last consumer at | event-loop lag, worst second's p99 / max (ms) | server CPU (cores) | server CPU per session (ms, all nodes) | bench clients' CPU (cores) |\n` +
      `|---|---|---|---|---|---|---|---|---|---|---|---|\n` +
      results.map(row).join('\n') +
      '\n\n' +
      (results.map(failures).join('') || 'failures: none\n') +
      `caller join: the caller's redeem request sent → its media:produce answered; console consumer: the same start → the console's media:consume answered (the consumer exists on the server).\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
