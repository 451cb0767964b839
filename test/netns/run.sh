#!/usr/bin/env bash
# Runs the network-fault tests inside a network namespace of their own (its loopback and a veth pair
# whose both ends stay inside it), as root. Nothing outside the namespace is touched.
#  - packet-loss.test.ts: nftables drops 10 % of the caller's media packets on the way into the SFU
#    (the rule below; its named counter tells the test how many it dropped).
#  - media-outage.test.ts: adds and removes its own rules (all media to and from its SFU's port).
#  - console-media-outage.test.ts: the dispatcher's desk in a namespace of its own inside this one
#    (desk.ts: a veth pair, a relay for HTTP), and its own rules cutting only the desk's media.
#  - metrics-loopback.test.ts: a server on every interface of the namespace, reached from its
#    non-loopback addresses (IPv4 and IPv6).
# Arguments go to vitest (e.g. one test file), for runs by hand.
#
# Needs root, ip (iproute2) and nft (nftables); scripts/setup.sh installs both. Without them the run
# is SKIPPED, and says so where it counts: .vitest/netns.json then lists every netns test as skipped,
# so the closing line of scripts/test.sh shows them. Under CI (CI=true) a skip is not allowed: the
# run fails instead, since CI runs as root with both tools installed and a skip there means the
# network-fault tests silently stopped running.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mkdir -p .vitest

skip() {
  if [[ ${CI:-} == true ]]; then
    echo "[netns] FAILED: $1 (CI must run the network-fault tests)" >&2
    exit 1
  fi
  echo "[netns] skipped: $1" >&2
  # Count the tests that did not run by asking vitest for them, so new ones are counted too.
  local count
  count="$(npx vitest list --project netns --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",(c)=>(s+=c)).on("end",()=>console.log(JSON.parse(s).length))')" || count=1
  SKIP_REASON="$1" SKIP_COUNT="$count" node -e '
    const n = Number(process.env.SKIP_COUNT);
    const report = { numTotalTests: n, numPassedTests: 0, numFailedTests: 0, numPendingTests: n, numTodoTests: 0, success: true, skippedRun: { name: "netns", reason: process.env.SKIP_REASON } };
    require("fs").writeFileSync(".vitest/netns.json", JSON.stringify(report));
  '
  exit 0
}

[[ $(id -u) -eq 0 ]] || skip "needs root (network namespace and nftables)"
command -v ip >/dev/null || skip "needs ip (iproute2)"
command -v nft >/dev/null || skip "needs nft (nftables)"

ns="sightline-loss-$$"
export LOSS_RTC_PORT="${LOSS_RTC_PORT:-41000}"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns" || skip "cannot create a network namespace (no CAP_SYS_ADMIN?)"
ip netns exec "$ns" ip link set lo up
# Browsers gather no ICE candidates on loopback alone: give the namespace a veth pair of its own
# (both ends inside it: nothing leaves the namespace), and let the SFU listen on one end.
export LOSS_RTC_IP=10.200.0.1
ip netns exec "$ns" ip link add sla type veth peer name slb
ip netns exec "$ns" ip addr add "$LOSS_RTC_IP/24" dev sla
ip netns exec "$ns" ip addr add 10.200.0.2/24 dev slb
# IPv6 too (no duplicate-address wait), for the tests that need a non-loopback client of each family.
ip netns exec "$ns" ip addr add fd00:5e::1/64 dev sla nodad
ip netns exec "$ns" ip addr add fd00:5e::2/64 dev slb nodad
ip netns exec "$ns" ip link set sla up
ip netns exec "$ns" ip link set slb up
# 10 % of UDP datagrams larger than 300 bytes towards the SFU's port: the caller's RTP, not the
# small STUN and RTCP packets that keep the connection and its feedback alive. packet-loss.test.ts
# reads the named counter (table and counter names are fixed there too).
ip netns exec "$ns" nft -f - <<NFT
table inet sightline_loss {
  counter caller_media_dropped { comment "caller RTP dropped on the way into the SFU" }
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport ${LOSS_RTC_PORT} meta length > 300 numgen random mod 10 0 counter name "caller_media_dropped" drop
  }
}
NFT
status=0
ip netns exec "$ns" npx vitest run --project netns --reporter=default --reporter=json --outputFile.json=.vitest/netns.json "$@" || status=$?
echo "[netns] dropped by the 10 % loss rule: $(ip netns exec "$ns" nft list counter inet sightline_loss caller_media_dropped | grep -o 'packets [0-9]*')"
exit $status
