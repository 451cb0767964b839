#!/usr/bin/env bash
# Runs the network-fault tests inside a network namespace of their own (only its loopback), with
# nftables dropping 10 % of the caller's media packets on the way into the SFU. Needs root, ip and
# nft (scripts/setup.sh installs nftables). Nothing outside the namespace is touched.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ $(id -u) -ne 0 ]] || ! command -v nft >/dev/null || ! command -v ip >/dev/null; then
  echo "[netns] skipped: needs root, ip (iproute2) and nft (nftables)" >&2
  exit 0
fi

ns="sightline-loss-$$"
export LOSS_RTC_PORT="${LOSS_RTC_PORT:-41000}"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
# Browsers gather no ICE candidates on loopback alone: give the namespace a veth pair of its own
# (both ends inside it: nothing leaves the namespace), and let the SFU listen on one end.
export LOSS_RTC_IP=10.200.0.1
ip netns exec "$ns" ip link add sla type veth peer name slb
ip netns exec "$ns" ip addr add "$LOSS_RTC_IP/24" dev sla
ip netns exec "$ns" ip addr add 10.200.0.2/24 dev slb
ip netns exec "$ns" ip link set sla up
ip netns exec "$ns" ip link set slb up
# 10 % of UDP datagrams larger than 300 bytes towards the SFU's port: the caller's RTP, not the
# small STUN and RTCP packets that keep the connection and its feedback alive.
ip netns exec "$ns" nft -f - <<NFT
table inet sightline_loss {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport ${LOSS_RTC_PORT} meta length > 300 numgen random mod 10 0 counter drop
  }
}
NFT
ip netns exec "$ns" npx vitest run --project netns --reporter=default --reporter=json --outputFile.json=.vitest/netns.json
echo "[netns] dropped by nftables: $(ip netns exec "$ns" nft list ruleset | grep -o 'packets [0-9]*' | head -1)"
