/**
 * Capacity: how many triage sessions a core carries. Each session is a caller's 720p VP8 video
 * (~1.5 Mbit/s, a clip looped by one ffmpeg) into an SRTP transport, forwarded to two receivers
 * (console and viewer) on SRTP transports. Sightline's room layer and bare mediasoup take the same
 * load in the same run, step by step (N sessions), each in a fresh process of its own, the side that
 * goes first alternating. Prints per step CPU per session (workers, Node), memory per session, loss,
 * and a markdown table; never fails on figures. See docs/benchmarks.md ("Capacity").
 *
 *   npm run bench:capacity    STEPS=10,25,50,100,150,200,250 WORKERS=2 LOAD_WORKERS=2 WARMUP_S=5 MEASURE_S=15 MAX_MINUTES=9
 */
import { installWorkerBinary } from '../../server/src/sfu/workerBinary.js';
import type { StepResult } from './capacity/step.js';
import type { Side } from './capacity/protocol.js';

installWorkerBinary();
const { HD_CLIP, LoadGenerator, makeClip } = await import('./capacity/LoadGenerator.js');
const { runStep } = await import('./capacity/step.js');

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const STEPS = env('STEPS', '10,25,50,100,150,200,250').split(',').map(Number);
const WORKERS = Number(env('WORKERS', '2'));
const LOAD_WORKERS = Number(env('LOAD_WORKERS', '2'));
const WARMUP_S = Number(env('WARMUP_S', '5'));
const MEASURE_S = Number(env('MEASURE_S', '15'));
const MAX_MINUTES = Number(env('MAX_MINUTES', '9'));

/** Over 1 % of packets lost, or a worker at 90 % of its core or more. */
export function saturation(r: StepResult): string | undefined {
  if (r.silentReceivers > 0) return `${r.silentReceivers} receivers got nothing`;
  if (loss(r) > 0.01) return `loss ${(loss(r) * 100).toFixed(1)} %`;
  const busiest = Math.max(...r.workerEachPct);
  if (busiest >= 90) return `a worker at ${busiest.toFixed(0)} %`;
  return undefined;
}

/** Lost over expected at the receivers; where they saw fewer than 2 per packet sent, that shortfall (whichever is larger). */
function loss(r: StepResult): number {
  const counted = r.packetsLost / Math.max(1, r.packetsReceived + r.packetsLost);
  const delivered = 1 - r.packetsReceived / Math.max(1, 2 * r.packetsSent);
  return Math.max(0, counted, delivered);
}

const pct = (x: number) => x.toFixed(2);
const perSession = (r: StepResult) => ({
  workers: r.workersPct / r.sessions,
  node: r.nodePct / r.sessions,
  total: (r.workersPct + r.nodePct) / r.sessions,
  mib: (r.workersRssDeltaMiB + r.nodeRssDeltaMiB) / r.sessions,
});

function line(r: StepResult): string {
  const p = perSession(r);
  return (
    `${r.side.padEnd(9)} N=${String(r.sessions).padStart(3)}: workers ${r.workersPct.toFixed(0)} % (${r.workerEachPct.map((x) => x.toFixed(0)).join('+')}), ` +
    `node ${r.nodePct.toFixed(1)} %; per session ${pct(p.workers)} + ${pct(p.node)} = ${pct(p.total)} % of a core, ${p.mib.toFixed(2)} MiB; ` +
    `loss ${(loss(r) * 100).toFixed(2)} % (${r.packetsReceived}/${2 * r.packetsSent} packets, ${r.packetsLost} lost); load gen ${r.loadPct.toFixed(0)} %, ` +
    `machine ${r.machineBusyPct.toFixed(0)} % busy; rcvbuf errors ${r.udpRcvbufErrors}; set-up ${r.setupSec.toFixed(1)} s${saturation(r) ? `; SATURATED: ${saturation(r)}` : ''}\n`
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const clip = await makeClip(HD_CLIP);
  const load = await LoadGenerator.start(clip, LOAD_WORKERS);
  const results: StepResult[] = [];
  const saturatedAt: Partial<Record<Side, number>> = {};
  try {
    await new Promise((r) => setTimeout(r, 2000));
    const p0 = await load.sourcePackets();
    await new Promise((r) => setTimeout(r, 3000));
    const rate = ((await load.sourcePackets()) - p0) / 3;
    process.stdout.write(
      `clip ${clip}: ~${rate.toFixed(0)} RTP packets/s per caller; system: ${WORKERS} workers; load generator: ${LOAD_WORKERS} workers + ffmpeg\n`,
    );
    for (const [i, sessions] of STEPS.entries()) {
      const order: Side[] = i % 2 === 0 ? ['bare', 'sightline'] : ['sightline', 'bare'];
      // One side saturated at the step before: this step was the other's last chance to show its own point.
      const saturatedBefore = Object.keys(saturatedAt).length > 0;
      for (const side of order) {
        const r = await runStep(load, { side, sessions, workers: WORKERS, warmupSec: WARMUP_S, measureSec: MEASURE_S });
        results.push(r);
        process.stdout.write(line(r));
        if (saturation(r) && saturatedAt[side] === undefined) saturatedAt[side] = sessions;
      }
      if (saturatedBefore || (saturatedAt.bare !== undefined && saturatedAt.sightline !== undefined)) break;
      // The next step would run past the budget (a step takes about twice its warm-up and window, plus set-up).
      const elapsedMin = (Date.now() - started) / 60_000;
      if (elapsedMin + (2 * (WARMUP_S + MEASURE_S + 10)) / 60 > MAX_MINUTES) {
        process.stdout.write(`stopping: ${elapsedMin.toFixed(1)} of ${MAX_MINUTES} minutes used\n`);
        break;
      }
    }
  } finally {
    await load.close();
  }
  process.stdout.write(`\n${table(results, saturatedAt)}\n`);
  process.exit(0);
}

function table(results: StepResult[], saturatedAt: Partial<Record<Side, number>>): string {
  const rows = [
    '| N | side | workers % core / session | Node % core / session | total % core / session | sessions / core (from CPU) | product ÷ bare (total CPU) | MiB / session | loss % | busiest worker % | load gen % | machine busy % | saturated |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const p = perSession(r);
    const bare = results.find((b) => b.side === 'bare' && b.sessions === r.sessions);
    const ratio = r.side === 'sightline' && bare ? (p.total / perSession(bare).total).toFixed(2) : '';
    rows.push(
      `| ${r.sessions} | ${r.side} | ${pct(p.workers)} | ${pct(p.node)} | ${pct(p.total)} | ${(100 / p.total).toFixed(0)} | ${ratio} | ${p.mib.toFixed(2)} | ` +
        `${(loss(r) * 100).toFixed(2)} | ${Math.max(...r.workerEachPct).toFixed(0)} | ${r.loadPct.toFixed(0)} | ${r.machineBusyPct.toFixed(0)} | ${saturation(r) ?? ''} |`,
    );
  }
  const sat = (side: Side) => (saturatedAt[side] !== undefined ? `saturated at N = ${saturatedAt[side]}` : 'not saturated within the steps run');
  // A saturated step's CPU is not a session's cost (packets it dropped cost nothing): the estimate is
  // the largest unsaturated step's.
  const fromCpu = (side: Side) => {
    const r = results.filter((x) => x.side === side && !saturation(x)).at(-1);
    if (!r) return 'no unsaturated step';
    const p = perSession(r);
    return `${(100 / p.total).toFixed(0)} sessions per core from CPU (N = ${r.sessions}: ${pct(p.total)} % of a core and ${p.mib.toFixed(2)} MiB per session)`;
  };
  const both = [...new Set(results.map((r) => r.sessions))].filter((n) =>
    ['bare', 'sightline'].every((side) => results.some((r) => r.side === side && r.sessions === n && !saturation(r))),
  );
  const ratios = both.map(
    (n) =>
      perSession(results.find((r) => r.side === 'sightline' && r.sessions === n)!).total /
      perSession(results.find((r) => r.side === 'bare' && r.sessions === n)!).total,
  );
  const ratio = ratios.length
    ? `product ÷ bare, total CPU per session, over the steps neither side saturated (N = ${both.join(', ')}): ${ratios.map((x) => x.toFixed(2)).join(', ')}`
    : '';
  return `${rows.join('\n')}\n\nbare: ${sat('bare')}; ${fromCpu('bare')}\nsightline: ${sat('sightline')}; ${fromCpu('sightline')}\n${ratio}`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
