#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian/Ubuntu machine; run by scripts/start.sh and scripts/test.sh.
#   1. Debian packages: chromium, redis-server, ffmpeg and the mediasoup worker's build libraries.
#   2. The mediasoup worker: mediasoup's prebuilt download where GitHub is reachable, else built
#      offline from Debian's libraries and cached outside the repo (infra/mediasoup-worker/).
#   3. npm packages, then the build.
# A second run does nothing that is already done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

APT_PACKAGES=(
  ca-certificates curl
  chromium redis-server ffmpeg
  # the second browser engine of the end-to-end tests (a Firefox caller: test/support/firefox.ts)
  firefox-esr
  # network-fault tests: namespaces and induced packet loss
  iproute2 nftables
  # the deployment tests: HAProxy's own parser checks infra/proxy/haproxy.cfg; unzip unpacks helm
  # (test/infra/ensure-helm.sh)
  haproxy unzip
  # a browser engine without RTCPeerConnection (the unsupported-browser test): WebKitGTK's WebDriver and
  # MiniBrowser, on a virtual display (test/support/webkit.ts)
  webkit2gtk-driver xvfb
  # mediasoup worker build (infra/mediasoup-worker/build-worker.sh) and its runtime libraries
  build-essential pkg-config meson ninja-build
  libssl-dev libuv1-dev libabsl-dev libsrtp2-dev libusrsctp-dev libflatbuffers-dev flatbuffers-compiler
)

install_debian_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo); else
      die "missing Debian packages and not root. Run as root:
  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    fi
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Package lists may be absent on a fresh image; update once, then install.
  if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/sightline-apt.log 2>&1; then
    "${sudo[@]}" apt-get update >>/tmp/sightline-apt.log 2>&1 || die "apt-get update failed (see /tmp/sightline-apt.log)"
    "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/sightline-apt.log 2>&1 ||
      die "apt-get install failed (see /tmp/sightline-apt.log)"
  fi
}

check_platform() {
  command -v node >/dev/null || die "Node.js 20.19+ is required (https://nodejs.org or Debian's nodejs)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    die "Node.js 20.19+ is required; this is $(node --version)"
  if [[ ! -f /etc/debian_version ]] || ! command -v apt-get >/dev/null; then
    die "this set-up script knows Debian and Ubuntu only. Elsewhere install: Chromium, redis-server, ffmpeg,
  and either internet access to GitHub (mediasoup downloads its worker) or the libraries listed in
  infra/mediasoup-worker/README.md; then run: npm install && npm run build"
  fi
}

check_platform
install_debian_packages

# The worker first: with MEDIASOUP_WORKER_BIN set, mediasoup's postinstall does nothing, so npm
# install cannot fail offline. Empty output means "online: let mediasoup download its prebuilt".
worker_bin="$(infra/mediasoup-worker/ensure-worker.sh)"
if [[ -n "$worker_bin" ]]; then
  export MEDIASOUP_WORKER_BIN="$worker_bin"
  log "mediasoup worker: $worker_bin"
fi

# npm 11 holds back install scripts until approved; package.json approves exactly one (mediasoup's
# postinstall, which fetches the prebuilt worker online and is a no-op when MEDIASOUP_WORKER_BIN is set).
stamp=node_modules/.sightline-install-stamp
if [[ ! -f $stamp ]] || [[ package-lock.json -nt $stamp ]] || [[ package.json -nt $stamp ]]; then
  log "installing npm packages"
  # npm ci trips over turbo's other-platform optional packages missing from the lock (npm 11); install honours the lock.
  npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

if [[ -z "$worker_bin" ]]; then
  worker_bin="$(infra/mediasoup-worker/ensure-worker.sh)"
  [[ -n "$worker_bin" ]] || die "mediasoup's postinstall did not leave a worker; run infra/mediasoup-worker/build-worker.sh"
fi

log "building"
npm run build --silent >/tmp/sightline-build.log 2>&1 || { tail -n 40 /tmp/sightline-build.log >&2; die "build failed"; }
log "ready"
