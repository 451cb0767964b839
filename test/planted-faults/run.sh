#!/usr/bin/env bash
# Plants faults on purpose and checks that the tests catch them (by hand, never in CI).
#
#   bash test/planted-faults/run.sh [name-substring ...]
#
# Each `*.patch` here is a `git apply` patch that makes behaviour the README promises wrong. Text
# before the diff is a header:
#   # kind: <the issue kind it belongs to>
#   # catches: <shell command, from the repo root, that must PASS on HEAD and FAIL with the patch>
# For each patch, in a scratch git worktree of HEAD (node_modules hard-linked, so nothing is
# downloaded): build, run the command (must pass), apply the patch, build, run it again (must fail).
# The working tree you are in is never touched. Prints one table row a patch; exits 1 if any fault
# went unnoticed or the clean run was red.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

patches=()
for p in "$here"/*.patch; do
  [[ -e $p ]] || continue
  if [[ $# -eq 0 ]]; then patches+=("$p"); continue; fi
  for want in "$@"; do [[ $(basename "$p") == *"$want"* ]] && { patches+=("$p"); break; }; done
done
[[ ${#patches[@]} -gt 0 ]] || { echo "no planted faults match: $*" >&2; exit 2; }

scratch="$(mktemp -d /tmp/sightline-planted-XXXXXX)"
tree="$scratch/tree"
cleanup() { git -C "$repo" worktree remove --force "$tree" >/dev/null 2>&1; rm -rf "$scratch"; }
trap cleanup EXIT
git worktree add --detach "$tree" HEAD >/dev/null 2>&1 || { echo "cannot make a worktree" >&2; exit 2; }
# Hard links: no copy of the packages; relative workspace symlinks now point into the scratch tree.
while IFS= read -r nm; do
  mkdir -p "$tree/$(dirname "$nm")"
  cp -al "$repo/$nm" "$tree/$nm"
done < <(find . -maxdepth 3 -type d -name node_modules -not -path './node_modules/*' -printf '%P\n')

build() { (cd "$tree" && npx turbo run build --output-logs=errors-only >"$scratch/build.log" 2>&1) || { tail -n 30 "$scratch/build.log" >&2; return 1; }; }
run_catcher() { (cd "$tree" && bash -c "$1" >"$scratch/run.log" 2>&1); }

rows=()
bad=0
for p in "${patches[@]}"; do
  name="$(basename "$p" .patch)"
  kind="$(sed -n 's/^# kind: *//p' "$p" | head -1)"
  cmd="$(sed -n 's/^# catches: *//p' "$p" | head -1)"
  [[ -n $cmd ]] || { rows+=("| $name | $kind | (no '# catches:' line) | — | — |"); bad=1; continue; }
  git -C "$tree" checkout --quiet --force HEAD -- . && git -C "$tree" clean -fdq -e node_modules
  echo "[planted] $name: clean run of: $cmd" >&2
  build && run_catcher "$cmd"; clean=$?
  # A red clean run is worth reading before the scratch tree goes.
  [[ $clean -eq 0 ]] || { echo "[planted] $name: clean run RED, its last lines:" >&2; tail -n 40 "$scratch/run.log" >&2; }
  git -C "$tree" apply "$p" || { rows+=("| $name | $kind | \`$cmd\` | patch does not apply | — |"); bad=1; continue; }
  echo "[planted] $name: with the fault" >&2
  if build; then run_catcher "$cmd"; planted=$?; else planted=99; fi
  [[ $planted -ne 0 ]] || { echo "[planted] $name: MISSED, the run's last lines:" >&2; tail -n 40 "$scratch/run.log" >&2; }
  git -C "$tree" apply -R "$p"
  [[ $clean -eq 0 ]] && c=green || { c="RED ($clean)"; bad=1; }
  case $planted in 0) f="MISSED"; bad=1 ;; 99) f="caught (build broke)" ;; *) f="caught (exit $planted)" ;; esac
  rows+=("| $name | $kind | \`$cmd\` | $f | $c |")
  echo "[planted] $name: $f; restored: $c" >&2
done

echo
echo "| planted fault | kind | test | with the fault | restored |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
exit $bad
