# shellcheck shell=bash
# Shared by build-worker.sh, ensure-worker.sh and test-worker.sh (sourced, not
# run). Defines where things are, which mediasoup version we build, and where
# the cached worker binary lives.

MSW_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MSW_REPO_ROOT="$(cd "$MSW_DIR/../.." && pwd)"

# Used when server/package.json does not pin mediasoup: the newest release
# whose "engines" accept Node 20.
MSW_FALLBACK_VERSION="3.19.3"

# Bump whenever shims/, the adapter header or the source patches change, so
# that existing caches are not reused for a differently built binary.
MSW_PATCH_REV="p2"

msw_log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
msw_die() { printf '[mediasoup-worker] ERROR: %s\n' "$*" >&2; exit 1; }

# Prints the mediasoup version to build by default: the exact version of
# "mediasoup" in server/package.json if that file exists, else the fallback.
msw_default_version() {
	local pkg="$MSW_REPO_ROOT/server/package.json"
	if [[ ! -f "$pkg" ]]; then
		printf '%s\n' "$MSW_FALLBACK_VERSION"
		return
	fi
	node - "$pkg" "$MSW_FALLBACK_VERSION" <<'EOF'
const [pkgPath, fallback] = process.argv.slice(2);
const pkg = JSON.parse(require('fs').readFileSync(pkgPath, 'utf8'));
let spec;
for (const field of ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies']) {
  if (pkg[field] && typeof pkg[field].mediasoup === 'string') { spec = pkg[field].mediasoup; break; }
}
if (spec === undefined) { console.log(fallback); process.exit(0); }
const m = /^\s*=?v?(\d+\.\d+\.\d+)\s*$/.exec(spec);
if (!m) {
  console.error(`[mediasoup-worker] ERROR: ${pkgPath} asks for mediasoup "${spec}", which is not an exact ` +
    'version; pin it (e.g. "3.19.3") or pass --version.');
  process.exit(1);
}
console.log(m[1]);
EOF
}

msw_cache_root() {
	printf '%s\n' "${SIGHTLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline}/mediasoup-worker"
}

# $1 = mediasoup version
msw_cache_bin() {
	printf '%s/%s-%s/mediasoup-worker\n' "$(msw_cache_root)" "$1" "$MSW_PATCH_REV"
}

# True if $1 is an executable mediasoup worker that loads on this host.
# Started without MEDIASOUP_VERSION the worker exits at once with code 41;
# a binary whose shared libraries are missing fails in the loader (127)
# instead. mediasoup's own postinstall validates prebuilt binaries this way.
msw_bin_runs() {
	local bin="$1" rc=0
	[[ -f "$bin" && -x "$bin" ]] || return 1
	env -u MEDIASOUP_VERSION "$bin" </dev/null >/dev/null 2>&1 || rc=$?
	[[ "$rc" -eq 41 ]]
}
