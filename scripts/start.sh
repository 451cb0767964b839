#!/usr/bin/env bash
# Starts Sightline on embedded defaults: in-memory store, SMS links printed here and shown in the
# console, one process on http://localhost:${PORT:-3000}. Any CONTRACT.md variable may be set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

if [[ -z "${DEMO_PASSWORD:-}" ]]; then
  DEMO_PASSWORD="$(node -e 'console.log(require("crypto").randomBytes(6).toString("hex"))')"
  export DEMO_PASSWORD
fi
cat <<MSG

  Sightline: open http://localhost:${PORT:-3000}/console
  Log in as "dispatcher" (or "supervisor") with password: ${DEMO_PASSWORD}
  SMS provider "console": each link is printed below and shown on the session card.

MSG
exec npm start --silent
