#!/usr/bin/env bash
# Boots the lab guest in a private namespace and pings the kernel's bridge address: proves the
# guest image, the bridge plumbing and the exit-status path. Cleans up after itself.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ns="tnlab-selftest-$$"
tmp="$(mktemp -d)"
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
bash "$here/build-guest.sh"
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge
ip -n "$ns" addr add 10.77.0.1/24 dev br0
ip -n "$ns" link set br0 up
ip -n "$ns" tuntap add dev gtap0 mode tap
ip -n "$ns" link set gtap0 master br0
ip -n "$ns" link set gtap0 up
cat > "$tmp/test.sh" <<'T'
set -e
uname -r
ping -c 3 -W 3 10.77.0.1
modprobe nfs && modprobe nfsv3 && modprobe nfsv4 && echo "nfs modules ok"
T
start=$(date +%s%N)
bash "$here/run-guest.sh" --netns "$ns" --tap gtap0 --ip 10.77.0.3/24 --script "$tmp/test.sh" --console "$tmp/console" --timeout 120
echo "selftest: ok in $(( ($(date +%s%N) - start) / 1000000 )) ms"
