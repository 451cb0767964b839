#!/usr/bin/env bash
# Prints the path of a usable mediasoup worker binary on stdout (and nothing
# else), so callers can do:
#
#   bin=$(infra/mediasoup-worker/ensure-worker.sh)
#   if [ -n "$bin" ]; then export MEDIASOUP_WORKER_BIN="$bin"; fi
#
# Usage: ensure-worker.sh [--version X.Y.Z]
#
# Chooses, in this order:
#   1. $MEDIASOUP_WORKER_BIN, if set and executable;
#   2. <repo>/node_modules/mediasoup/worker/out/Release/mediasoup-worker
#      (mediasoup's own prebuilt/locally built worker), if present and working;
#   3. the cached build for the version (see build-worker.sh);
#   4. if github.com is reachable: prints NOTHING and exits 0, so the caller
#      lets mediasoup's normal postinstall download its prebuilt worker;
#   5. otherwise builds it with build-worker.sh (8-9 minutes, cached after).
# Set SIGHTLINE_OFFLINE=1 to skip the github.com probe (step 4).
set -euo pipefail

# shellcheck source=common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

version=""
while [[ $# -gt 0 ]]; do
	case "$1" in
		--version) [[ $# -ge 2 ]] || msw_die "--version needs a value"; version="$2"; shift 2 ;;
		--version=*) version="${1#*=}"; shift ;;
		-h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
		*) msw_die "unknown argument: $1" ;;
	esac
done

# 1. Explicit override.
if [[ -n "${MEDIASOUP_WORKER_BIN:-}" ]]; then
	if [[ -f "$MEDIASOUP_WORKER_BIN" && -x "$MEDIASOUP_WORKER_BIN" ]]; then
		printf '%s\n' "$MEDIASOUP_WORKER_BIN"
		exit 0
	fi
	msw_log "warning: MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable file; ignoring it"
fi

# 2. mediasoup's normal location (prebuilt download or its own local build).
local_bin="$MSW_REPO_ROOT/node_modules/mediasoup/worker/out/Release/mediasoup-worker"
if [[ -e "$local_bin" ]]; then
	if msw_bin_runs "$local_bin"; then
		printf '%s\n' "$local_bin"
		exit 0
	fi
	msw_log "warning: $local_bin exists but does not start on this host; ignoring it"
fi

# 3. Our cache.
[[ -n "$version" ]] || version="$(msw_default_version)"
cache_bin="$(msw_cache_bin "$version")"
if msw_bin_runs "$cache_bin"; then
	printf '%s\n' "$cache_bin"
	exit 0
fi

# 4. Online: mediasoup's postinstall can fetch its prebuilt worker itself.
if [[ "${SIGHTLINE_OFFLINE:-0}" != "1" ]] && command -v curl >/dev/null 2>&1 &&
	curl -sS --max-time 5 -o /dev/null https://github.com 2>/dev/null; then
	msw_log "github.com is reachable: leaving the worker to mediasoup's postinstall"
	exit 0
fi

# 5. Offline: build it (progress on stderr, path = last line of stdout).
msw_log "no usable mediasoup worker and no route to github.com: building mediasoup-worker $version"
out="$("$MSW_DIR/build-worker.sh" --version "$version")"
bin="$(printf '%s\n' "$out" | tail -n 1)"
msw_bin_runs "$bin" || msw_die "build-worker.sh returned '$bin', which does not start"
printf '%s\n' "$bin"
