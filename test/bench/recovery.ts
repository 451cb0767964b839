/**
 * Recovery times: each fault the end-to-end tests inject, measured the same way, RUNS times on one
 * set-up, with the median and p90. The tests assert only bounds (5 s, 10 s, 15 s); these are the
 * figures behind the "about" in the docs. Never fails on timing.
 *
 *   npm run bench:recovery                  RUNS=5, every scenario
 *   SCENARIOS=worker,restart,failover RUNS=9 npm run bench:recovery
 */
import { stats } from './measure.js';
import { launchDevices, type Scenario } from './recovery/common.js';
import { nodeFailover } from './recovery/failover.js';
import { nodeRestart } from './recovery/restart.js';
import { workerKill } from './recovery/worker.js';

const ALL: Record<string, () => Scenario> = { worker: workerKill, restart: nodeRestart, failover: nodeFailover };
const RUNS = Number(process.env['RUNS'] ?? 5);
const chosen = (process.env['SCENARIOS'] ?? Object.keys(ALL).join(',')).split(',').map((s) => s.trim());

async function measure(scenario: Scenario): Promise<number[]> {
  const devices = await launchDevices();
  const times: number[] = [];
  try {
    await scenario.setup(devices);
    for (let i = 1; i <= RUNS; i++) {
      const ms = await scenario.run();
      times.push(ms);
      process.stdout.write(`${scenario.name} run ${i}: video back in ${ms} ms\n`);
    }
  } finally {
    await scenario.teardown();
    await Promise.all([devices.dispatcher.close(), devices.caller.close()]);
  }
  return times;
}

async function main(): Promise<void> {
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`RUNS must be a positive integer, got ${process.env['RUNS']}`);
  const unknown = chosen.filter((s) => !ALL[s]);
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(ALL).join(', ')}`);
  const results: [Scenario, number[]][] = [];
  for (const name of chosen) {
    const scenario = ALL[name]!();
    results.push([scenario, await measure(scenario)]);
  }
  process.stdout.write(`\n== video back on the console (new consumer decoding, card "live"), ${RUNS} runs each, nearest-rank percentiles ==\n`);
  for (const [scenario, times] of results) {
    const s = stats(times);
    process.stdout.write(`${scenario.name}: median ${s.median} ms, p90 ${s.p90} ms, min ${s.min} ms, max ${s.max} ms (${scenario.what})\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
