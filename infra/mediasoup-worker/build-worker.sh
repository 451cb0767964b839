#!/usr/bin/env bash
# Builds the mediasoup worker (C++) from the mediasoup npm tarball against
# Debian's system libraries, without GitHub, PyPI or wrapdb, and caches the
# binary outside the repo. See README.md in this folder.
#
# Usage: build-worker.sh [--version X.Y.Z] [--force]
#   --version  mediasoup version (default: exact "mediasoup" version in
#              server/package.json, else 3.19.3)
#   --force    rebuild even if a working cached binary exists
#
# Progress goes to stderr; the LAST line of stdout is the binary's path.
set -euo pipefail

# shellcheck source=common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; }

version=""
force=0
while [[ $# -gt 0 ]]; do
	case "$1" in
		--version) [[ $# -ge 2 ]] || msw_die "--version needs a value"; version="$2"; shift 2 ;;
		--version=*) version="${1#*=}"; shift ;;
		--force) force=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) usage; msw_die "unknown argument: $1" ;;
	esac
done
if [[ -z "$version" ]]; then
	version="$(msw_default_version)"
fi
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || msw_die "not an exact mediasoup version: '$version'"

cache_bin="$(msw_cache_bin "$version")"
cache_dir="$(dirname "$cache_bin")"

# Fast path: nothing to do.
if [[ "$force" -eq 0 ]] && msw_bin_runs "$cache_bin"; then
	printf '%s\n' "$cache_bin"
	exit 0
fi

# ---------------------------------------------------------------------------
# Prerequisites: say exactly what to install instead of failing half-way.
# ---------------------------------------------------------------------------
required_debs=(build-essential pkg-config meson ninja-build libssl-dev libuv1-dev libabsl-dev
	libsrtp2-dev libusrsctp-dev libflatbuffers-dev flatbuffers-compiler)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
	for p in "${required_debs[@]}"; do
		status="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
		[[ "$status" == "installed" ]] || missing+=("$p")
	done
else
	# Not Debian-like: check the tools and pkg-config modules themselves and
	# name the Debian packages that would provide them.
	declare -A tool_pkg=([c++]=build-essential [cc]=build-essential [pkg-config]=pkg-config
		[meson]=meson [ninja]=ninja-build [flatc]=flatbuffers-compiler)
	for t in "${!tool_pkg[@]}"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("${tool_pkg[$t]}")
	done
	if command -v pkg-config >/dev/null 2>&1; then
		declare -A mod_pkg=([libssl]=libssl-dev [libuv]=libuv1-dev [absl_flat_hash_map]=libabsl-dev
			[libsrtp2]=libsrtp2-dev [usrsctp]=libusrsctp-dev [flatbuffers]=libflatbuffers-dev)
		for m in "${!mod_pkg[@]}"; do
			pkg-config --exists "$m" || missing+=("${mod_pkg[$m]}")
		done
	fi
fi
if [[ ${#missing[@]} -gt 0 ]]; then
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	msw_die "missing build dependencies. Run:
    apt-get install -y ${missing[*]}"
fi
for t in node npm tar; do
	command -v "$t" >/dev/null 2>&1 || msw_die "'$t' not found in PATH"
done

# ---------------------------------------------------------------------------
# One build per version at a time (two callers racing would both compile).
# ---------------------------------------------------------------------------
mkdir -p "$cache_dir"
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache_dir/.lock"
	if ! flock -n 9; then
		msw_log "another build of mediasoup-worker $version is running; waiting for it..."
		flock 9
	fi
	if [[ "$force" -eq 0 ]] && msw_bin_runs "$cache_bin"; then
		printf '%s\n' "$cache_bin"
		exit 0
	fi
fi

log_file="$cache_dir/build.log"
: >"$log_file"
work_dir="$(mktemp -d "${TMPDIR:-/tmp}/sightline-mediasoup-worker.XXXXXX")"
cleanup() { rm -rf "$work_dir"; }
trap cleanup EXIT

# Runs a command with its output appended to the log; on failure shows the
# log's tail and stops.
run_logged() {
	local what="$1"
	shift
	printf '\n===== %s: %s\n' "$what" "$*" >>"$log_file"
	if ! "$@" >>"$log_file" 2>&1; then
		msw_log "FAILED: $what. Last lines of $log_file:"
		tail -n 40 "$log_file" >&2
		exit 1
	fi
}

start=$SECONDS
msw_log "building mediasoup-worker $version (patch rev $MSW_PATCH_REV); log: $log_file"

# ---------------------------------------------------------------------------
# Sources: only package/worker of the npm tarball is needed.
# ---------------------------------------------------------------------------
msw_log "fetching mediasoup@$version from the npm registry"
run_logged "npm pack" npm pack "mediasoup@$version" --ignore-scripts --loglevel=warn --pack-destination "$work_dir"
tarball="$(find "$work_dir" -maxdepth 1 -name 'mediasoup-*.tgz' | head -n 1)"
[[ -n "$tarball" ]] || msw_die "npm pack produced no tarball (see $log_file)"
run_logged "unpack" tar -xzf "$tarball" -C "$work_dir"
worker="$work_dir/package/worker"
[[ -f "$worker/meson.build" ]] || msw_die "no worker/meson.build in $tarball"

# ---------------------------------------------------------------------------
# Shim subprojects: for every shims/<name>, the wrap worker/subprojects/
# <name>.wrap names the directory meson looks for; putting the shim there
# makes meson use it instead of downloading (and --wrap-mode=nodownload makes
# any wrap we did not cover fail immediately).
# ---------------------------------------------------------------------------
for shim in "$MSW_DIR"/shims/*/; do
	name="$(basename "$shim")"
	wrap="$worker/subprojects/$name.wrap"
	[[ -f "$wrap" ]] || msw_die "mediasoup $version has no subprojects/$name.wrap; the shims need updating"
	dir="$(sed -n 's/^[[:space:]]*directory[[:space:]]*=[[:space:]]*\([^[:space:]]*\)[[:space:]]*$/\1/p' "$wrap" | head -n 1)"
	[[ -n "$dir" ]] || dir="$name" # meson's default when a wrap has no directory key
	[[ "$dir" != */* && "$dir" != .* ]] || msw_die "unexpected directory '$dir' in $wrap"
	rm -rf "${worker:?}/subprojects/$dir"
	cp -R "$shim" "$worker/subprojects/$dir"
	printf 'shim %s -> subprojects/%s\n' "$name" "$dir" >>"$log_file"
done

# ---------------------------------------------------------------------------
# Source patches. Each one checks its pattern and fails loudly if a new
# mediasoup version changed the code.
# ---------------------------------------------------------------------------
# (1) Debian 12 has meson 1.0.1; mediasoup asks for >= 1.1.0 but builds fine.
meson_build="$worker/meson.build"
n="$(grep -cE "^[[:space:]]*meson_version[[:space:]]*:[[:space:]]*'>=[[:space:]]*[0-9.]+'" "$meson_build" || true)"
[[ "$n" -eq 1 ]] || msw_die "patch 1: expected one meson_version line in worker/meson.build, found $n"
sed -i -E "s/^([[:space:]]*meson_version[[:space:]]*:[[:space:]]*)'>=[[:space:]]*[0-9.]+'/\1'>= 1.0.0'/" "$meson_build"

# (2) DtlsTransport::onSslBioOut returns 1 for every BIO operation that is not
# exactly BIO_CB_RETURN, including BIO_CB_RETURN|BIO_CB_CTRL. On Debian's
# kTLS-enabled OpenSSL that makes BIO_get_ktls_send() look true, OpenSSL then
# allocates no DTLS write buffer and the worker crashes on the first
# ClientHello. BIO_CB_RETURN is a flag: test it as one.
dtls="$worker/src/RTC/DtlsTransport.cpp"
old='(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1'
new='(operationType \& BIO_CB_RETURN) ? static_cast<long>(ret) : 1'
n="$(grep -cF "$old" "$dtls" || true)"
if [[ "$n" -ne 1 ]]; then
	msw_die "patch 2: expected exactly one '$old' in worker/src/RTC/DtlsTransport.cpp (onSslBioOut), found $n.
mediasoup $version changed that callback: check whether it still treats BIO_CB_RETURN as a value instead
of a bit flag, update the patch in build-worker.sh and bump MSW_PATCH_REV in common.sh."
fi
sed -i "s/(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1/$new/" "$dtls"
grep -qF '(operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1' "$dtls" || msw_die "patch 2 did not apply"

# (3) NackGenerator drops an RTX copy that arrives before its seq was NACKed
# (Chrome's bandwidth probes resend recent packets as RTX) or that is newer
# than the last seen seq; if the original was lost, that seq is then never
# asked for again and the video freezes until the next key frame (mediasoup
# issue #906). Our own fix, patches/3-nack-rtx-recovery.patch: such an RTX copy
# is let through once (the gap before a newer one is NACKed as usual) and an
# original arriving after its RTX copy is dropped as a duplicate.
nack_patch="$MSW_DIR/patches/3-nack-rtx-recovery.patch"
if ! patch --dry-run --forward -p1 -d "$work_dir/package" <"$nack_patch" >>"$log_file" 2>&1; then
	msw_die "patch 3: $nack_patch does not apply to mediasoup $version (see $log_file).
NackGenerator/RtpStreamRecv changed: check whether RTX copies that arrive before their NACK, or ahead of the
last seen seq, are still discarded; update or drop the patch and bump MSW_PATCH_REV in common.sh."
fi
run_logged "patch 3" patch --forward -p1 -d "$work_dir/package" <"$nack_patch"
grep -qF 'IsAlreadyRecovered' "$worker/src/RTC/RtpStreamRecv.cpp" || msw_die "patch 3 did not apply"

# ---------------------------------------------------------------------------
# Build. Generated FBS/*.h must exist before any C++ is compiled, so the
# flatbuffers generator target goes first.
# ---------------------------------------------------------------------------
build="$work_dir/build"
jobs_args=()
[[ -n "${MSW_JOBS:-}" ]] && jobs_args=(-j "$MSW_JOBS")

msw_log "meson setup (system libraries, liburing disabled)"
run_logged "meson setup" meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true \
	-Dms_disable_liburing=true "$build" "$worker"
msw_log "generating flatbuffers headers"
run_logged "flatbuffers-generator" meson compile -C "$build" "${jobs_args[@]}" flatbuffers-generator
msw_log "compiling mediasoup-worker (about 8-9 minutes on 2 cores)"
run_logged "mediasoup-worker" meson compile -C "$build" "${jobs_args[@]}" mediasoup-worker

built="$build/mediasoup-worker"
[[ -f "$built" ]] || msw_die "build finished but $built is missing (see $log_file)"
msw_bin_runs "$built" || msw_die "the freshly built worker does not start on this host (see $log_file)"

# ---------------------------------------------------------------------------
# Install into the cache atomically: a reader sees either no binary or the
# complete one.
# ---------------------------------------------------------------------------
tmp_bin="$cache_dir/.mediasoup-worker.tmp.$$"
cp "$built" "$tmp_bin"
chmod 0755 "$tmp_bin"
mv -f "$tmp_bin" "$cache_bin"

elapsed=$((SECONDS - start))
{
	printf 'mediasoup %s, patch rev %s\n' "$version" "$MSW_PATCH_REV"
	printf 'built %s on %s in %ss\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(uname -srm)" "$elapsed"
	printf 'meson %s, %s\n' "$(meson --version)" "$(c++ --version | head -n 1)"
} >"$cache_dir/BUILD-INFO"

msw_log "done in ${elapsed}s: $cache_bin"
printf '%s\n' "$cache_bin"
