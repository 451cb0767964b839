#!/usr/bin/env bash
# Starts Sightline on embedded defaults: in-memory store, SMS links printed here and shown in the
# console, one process on http://localhost:${PORT:-3000}. Any CONTRACT.md variable may be set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

# Users persist in $DATA_DIR/users.json, so the demo password must too: made once, then reused.
data_dir="${DATA_DIR:-./data}"
if [[ -z "${DEMO_PASSWORD:-}" ]]; then
  mkdir -p "$data_dir"
  if [[ ! -s "$data_dir/.demo-password" ]]; then
    (umask 077; node -e 'console.log(require("crypto").randomBytes(6).toString("hex"))' >"$data_dir/.demo-password")
  fi
  DEMO_PASSWORD="$(cat "$data_dir/.demo-password")"
  export DEMO_PASSWORD
fi
cat <<MSG

  Sightline: open http://localhost:${PORT:-3000}/console
  Log in as "dispatcher" (or "supervisor") with password: ${DEMO_PASSWORD}
  SMS provider "console": each link is printed below and shown on the session card.

MSG
exec npm start --silent
