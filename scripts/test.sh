#!/usr/bin/env bash
# Runs every test: set-up (Debian packages, mediasoup worker, npm packages, build), then `npm test`
# (unit and integration tests with a real worker and redis-server, then end-to-end tests in
# headless Chromium). .ci/run calls this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
npm test
# Network faults need a namespace of their own (root): 10 % loss on the caller's media path.
bash test/netns/run.sh
