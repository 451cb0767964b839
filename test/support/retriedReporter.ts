import { appendFileSync, mkdirSync } from 'node:fs';
import type { Reporter, TestCase } from 'vitest/node';

/**
 * Names every test that passed only on a retry (scripts/test.sh gives browser and network-fault
 * tests one retry on a shared two-core machine, and the unit run the few suites that ask for one,
 * such as the recorder's on a real worker and ffmpeg). Written to `.vitest/retried.txt`, one line each,
 * and printed by the test command's closing tally: a retried test is a finding to fix, never hidden.
 */
export default class RetriedReporter implements Reporter {
  onTestCaseResult(test: TestCase): void {
    const d = test.diagnostic();
    if (!d || d.retryCount === 0 || test.result().state !== 'passed') return;
    mkdirSync('.vitest', { recursive: true });
    appendFileSync('.vitest/retried.txt', `${test.project.name} ${test.module.relativeModuleId} > ${test.fullName} (passed on retry ${d.retryCount})\n`);
  }
}
