/**
 * Time to first frame, Sightline against bare mediasoup, in one command: from the caller's tap on
 * "Start video" to the first frame the dispatcher's console presents, through the real stack
 * (./ttff-sightline.ts), and the same measurement through bare mediasoup + mediasoup-client
 * (./bare/ttff-bare.ts). ROUNDS rounds; in each, one sitting of each side (its own server and two
 * fresh browsers, a warm-up run, then RUNS counted runs), the side that goes first alternating
 * from round to round so a drifting machine load does not favour one. Prints every run, each
 * round's medians and ratio, and the figures over all rounds. Never fails on timing.
 * A third side (./ttff-crossnode.ts, CROSS_NODE=0 leaves it out): two Sightline nodes on one
 * redis-server, the caller's page on the node that does not own the session; the order of the
 * three sides rotates from round to round.
 *
 *   npm run bench:ttff                       ROUNDS=3 RUNS=10 CROSS_NODE=1 by default
 *   ROUNDS=6 RUNS=10 npm run bench:ttff
 *   READ_MS=1500 npm run bench:ttff          the caller reads the page for 1.5 s before the tap
 */
import { rm } from 'node:fs/promises';
import { bareSitting, buildBarePages } from './bare/ttff-bare.js';
import { intervals, median, READ_MS, stats, STEPS, type Sitting, type Stats, type StepTimes } from './measure.js';
import { sightlineSitting } from './ttff-sightline.js';
import { crossNodeSitting } from './ttff-crossnode.js';

const ROUNDS = positive('ROUNDS', 3);
const RUNS = positive('RUNS', 10);
const CROSS_NODE = process.env['CROSS_NODE'] !== '0';

function positive(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return v;
}

interface Round {
  bare: Sitting;
  sightline: Sitting;
  /** Two nodes, caller on the one that does not own the session (absent with CROSS_NODE=0). */
  crossNode?: Sitting;
}

const ms = (s: Stats) => `median ${s.median.toFixed(0)} / p90 ${s.p90.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}, n=${s.n})`;
const kib = (bytes: number[]) => `${(median(bytes) / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const distDir = await buildBarePages();
  const rounds: Round[] = [];
  let codec = '';
  try {
    for (let r = 1; r <= ROUNDS; r++) {
      const sides: { name: keyof Round; run: () => Promise<Sitting> }[] = [
        {
          name: 'bare',
          run: async () => {
            const s = await bareSitting(distDir, RUNS, `r${r} bare `);
            codec ||= s.codec;
            return s;
          },
        },
        { name: 'sightline', run: () => sightlineSitting(RUNS, `r${r} Sightline `) },
        ...(CROSS_NODE ? [{ name: 'crossNode' as const, run: () => crossNodeSitting(RUNS, `r${r} cross-node `) }] : []),
      ];
      // Each round starts with the next side, so a drifting machine load favours none.
      const order = sides.map((_, i) => sides[(i + r - 1) % sides.length]!);
      process.stdout.write(`\n== round ${r} of ${ROUNDS} (order: ${order.map((s) => s.name).join(', ')}) ==\n`);
      const round = {} as Round;
      for (const side of order) round[side.name] = await side.run();
      rounds.push(round);
      printRound(r, round);
    }
  } finally {
    await rm(distDir, { recursive: true, force: true });
  }
  printSummary(rounds, codec);
  printCrossNodeSummary(rounds);
}

function printRound(r: number, round: Round): void {
  const bare = stats(round.bare.ttff);
  const sightline = stats(round.sightline.ttff);
  const cross = round.crossNode && stats(round.crossNode.ttff);
  process.stdout.write(
    `round ${r}: bare ${ms(bare)}; Sightline ${ms(sightline)}; ratio of medians ${(sightline.median / bare.median).toFixed(2)}\n` +
      (cross ? `round ${r}: cross-node ${ms(cross)}; ratio of medians to bare ${(cross.median / bare.median).toFixed(2)}\n` : ''),
  );
}

function printSummary(rounds: Round[], codec: string): void {
  const all = (side: 'bare' | 'sightline') => rounds.flatMap((r) => r[side].ttff);
  const bare = stats(all('bare'));
  const sightline = stats(all('sightline'));
  const ratios = rounds.map((r) => median(r.sightline.ttff) / median(r.bare.ttff));
  const roundMedians = (side: 'bare' | 'sightline') => rounds.map((r) => median(r[side].ttff));
  process.stdout.write(
    `\n== tap → first presented frame, ${rounds.length} rounds × ${RUNS} runs a side (nearest-rank percentiles; ` +
      `${READ_MS ? `the caller reads the page ${READ_MS} ms before the tap` : 'tap as soon as the button is enabled'}) ==\n` +
      `| rounds | bare median / p90 | Sightline median / p90 | ratio of medians |\n|---|---|---|---|\n` +
      rounds
        .map((r, i) => {
          const [b, s] = [stats(r.bare.ttff), stats(r.sightline.ttff)];
          return `| round ${i + 1} | ${b.median.toFixed(0)} / ${b.p90.toFixed(0)} | ${s.median.toFixed(0)} / ${s.p90.toFixed(0)} | ${(s.median / b.median).toFixed(2)} |\n`;
        })
        .join('') +
      `| all runs pooled | ${bare.median.toFixed(0)} / ${bare.p90.toFixed(0)} | ${sightline.median.toFixed(0)} / ${sightline.p90.toFixed(0)} | ${(sightline.median / bare.median).toFixed(2)} |\n` +
      `| median of round medians | ${median(roundMedians('bare')).toFixed(0)} | ${median(roundMedians('sightline')).toFixed(0)} | ${median(ratios).toFixed(2)} (median of round ratios) |\n` +
      `\nbare: ${ms(bare)}\nSightline: ${ms(sightline)}\n` +
      `ratio of medians (all runs pooled): ${(sightline.median / bare.median).toFixed(2)}; per round: ${ratios.map((x) => x.toFixed(2)).join(', ')}\n` +
      `caller page bytes on the wire to first frame (compressed, incl. headers and signalling): median ${kib(rounds.flatMap((r) => r.sightline.bytes))}\n` +
      `bare publisher page, same count (served uncompressed): median ${kib(rounds.flatMap((r) => r.bare.bytes))}\n` +
      `bare publisher: ${codec}\n`,
  );
  printSteps(rounds);
}

/** Where the time goes: each step's median / p90 over all rounds, Sightline beside bare where bare has the step. */
function printSteps(rounds: Round[]): void {
  const runs = (side: keyof Round): StepTimes[] => rounds.flatMap((r) => r[side]?.steps ?? []);
  const cross = rounds.some((r) => r.crossNode);
  const cell = (xs: number[]) => {
    if (xs.length === 0) return '–';
    const s = stats(xs);
    return `${s.median.toFixed(0)} / ${s.p90.toFixed(0)}`;
  };
  const row = (label: string, from: string, to: string) =>
    `| ${label} | \`${from}\` → \`${to}\` | ${cell(intervals(runs('sightline'), from, to))} | ${cell(intervals(runs('bare'), from, to))} |` +
    (cross ? ` ${cell(intervals(runs('crossNode'), from, to))} |\n` : '\n');
  const names = [
    ...new Set(
      runs('sightline')
        .concat(runs('bare'))
        .flatMap((r) => Object.keys(r)),
    ),
  ].filter((n) => n !== 'tap' && !n.startsWith('server:'));
  const server = (side: keyof Round, key: string) => runs(side).flatMap((r) => (r[key] === undefined ? [] : [r[key]!]));
  const serverRow = (label: string, key: string) => `| ${label} | ${cell(server('sightline', key))} |${cross ? ` ${cell(server('crossNode', key))} |` : ''}\n`;
  const at = (n: string) => median(intervals(runs('sightline'), 'tap', n).concat(intervals(runs('bare'), 'tap', n)));
  process.stdout.write(
    `\n== where the time goes, ${rounds.length} rounds pooled, ms (median / p90; nearest rank) ==\n` +
      `| step | marks | Sightline | bare |${cross ? ' cross-node |' : ''}\n|---|---|---|---|${cross ? '---|' : ''}\n` +
      STEPS.map((s) => row(s.label, s.from, s.to)).join('') +
      `\n== each mark, ms after the tap (median / p90) ==\n| mark | Sightline | bare |${cross ? ' cross-node |' : ''}\n|---|---|---|${cross ? '---|' : ''}\n` +
      names
        .sort((a, b) => at(a) - at(b))
        .map(
          (n) =>
            `| ${n} | ${cell(intervals(runs('sightline'), 'tap', n))} | ${cell(intervals(runs('bare'), 'tap', n))} |${cross ? ` ${cell(intervals(runs('crossNode'), 'tap', n))} |` : ''}\n`,
        )
        .join('') +
      `\n== Sightline server, per run (its /metrics), ms (median / p90) ==\n| figure | Sightline |${cross ? ' cross-node |' : ''}\n|---|---|${cross ? '---|' : ''}\n` +
      serverRow("consent record: queued behind the session's earlier writes", 'server:consent-queued') +
      serverRow('consent record: session store', 'server:consent-store') +
      serverRow('consent record: hash-chained log (lock, write, fdatasync)', 'server:consent-log') +
      serverRow("one log fdatasync (mean of the run's appends)", 'server:fdatasync'),
  );
}

/** The cross-node side beside single-node Sightline and bare, each ratio to bare within its own round. */
function printCrossNodeSummary(rounds: Round[]): void {
  const withCross = rounds.filter((r): r is Round & { crossNode: Sitting } => r.crossNode !== undefined);
  if (withCross.length === 0) return;
  const pooled = (pick: (r: Round & { crossNode: Sitting }) => Sitting) => stats(withCross.flatMap((r) => pick(r).ttff));
  const [bare, sightline, cross] = [pooled((r) => r.bare), pooled((r) => r.sightline), pooled((r) => r.crossNode)];
  const row = (name: string, b: Stats, s: Stats, c: Stats) =>
    `| ${name} | ${b.median.toFixed(0)} / ${b.p90.toFixed(0)} | ${s.median.toFixed(0)} / ${s.p90.toFixed(0)} (${(s.median / b.median).toFixed(2)}) | ${c.median.toFixed(0)} / ${c.p90.toFixed(0)} (${(c.median / b.median).toFixed(2)}) |\n`;
  const crossRatios = withCross.map((r) => median(r.crossNode.ttff) / median(r.bare.ttff));
  process.stdout.write(
    `\n== cross-node: caller on the node that does not own the session (two nodes, one redis-server), same runs ==\n` +
      `| rounds | bare median / p90 | Sightline, one node: median / p90 (× bare) | Sightline, caller on the other node: median / p90 (× bare) |\n|---|---|---|---|\n` +
      withCross.map((r, i) => row(`round ${i + 1}`, stats(r.bare.ttff), stats(r.sightline.ttff), stats(r.crossNode.ttff))).join('') +
      row('all runs pooled', bare, sightline, cross) +
      `\ncross-node: ${ms(cross)}\n` +
      `cross-node ratio of medians to bare (all runs pooled): ${(cross.median / bare.median).toFixed(2)}; per round: ${crossRatios.map((x) => x.toFixed(2)).join(', ')}; ` +
      `to one-node Sightline (pooled): ${(cross.median / sightline.median).toFixed(2)}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
