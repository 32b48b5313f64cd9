#!/usr/bin/env bash
# End-to-end check of the lab; needs root. Builds the guest if needed, then, in a private network
# namespace tnlab-selftest-PID (bridge br0 with 10.77.0.1/24, the guest's persistent tap gtap0 on
# it; nothing outside the namespace is touched, the namespace is deleted at the end):
#   run 1: the guest (10.77.0.3/24) pings 10.77.0.1 three times, shows its kernel and modules and
#          loads the NFS client (nfs, nfsv3, nfsv4). Must exit 0.
#   run 2: the guest mounts NFSv3 and NFSv4.1 from 10.77.0.1, where a socat sink records what
#          arrives on TCP port 2049 (the MOUNT and NFS NULL calls; the mounts then fail, there is
#          no server), then exits 42, which run-guest.sh must pass on.
# Prints the guest's boot milestones and the wall time of each run.
#
#   selftest.sh [--keep-logs DIR]     (DIR gets the scripts, results and console logs)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
keep=""
[ "${1:-}" = --keep-logs ] && keep="${2:?--keep-logs needs a directory}"
[ "$(id -u)" = 0 ] || { echo "selftest: needs root (network namespaces, taps)" >&2; exit 2; }

t_start=$(($(date +%s%N) / 1000000))
ns="tnlab-selftest-$$"
tmp="$(mktemp -d)"
sink=""
cleanup() {
  [ -z "$sink" ] || kill "$sink" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  if [ -n "$keep" ]; then mkdir -p "$keep" && cp "$tmp"/* "$keep"/ 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "selftest: FAILED: $*" >&2; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Guest uptime at an init milestone, from a console log ("tapnfs-init: WHAT ... [t=1.23s]").
at() { tr -d '\r' < "$1" | sed -n "s/.*tapnfs-init: $2.*\[t=\([0-9.]*\)s\]$/\1/p" | head -n 1; }

bash "$here/install-deps.sh"
bash "$here/build-guest.sh" >/dev/null
kver="$(cat "$here/../../.lab-cache/guest/kernel-version")"

# The lab network, all of it inside the namespace.
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge
ip -n "$ns" addr add 10.77.0.1/24 dev br0
ip -n "$ns" link set br0 up
ip -n "$ns" tuntap add dev gtap0 mode tap
ip -n "$ns" link set gtap0 master br0
ip -n "$ns" link set gtap0 up
guest() {  # NAME EXPECTED_STATUS: boots the guest with $tmp/NAME.sh; sets run_ms
  local rc=0 start
  start=$(now_ms)
  bash "$here/run-guest.sh" --netns "$ns" --tap gtap0 --ip 10.77.0.3/24 --script "$tmp/$1.sh" \
    --out "$tmp/$1.result" --console "$tmp/$1.console" --timeout 60 >/dev/null || rc=$?
  run_ms=$(($(now_ms) - start))
  [ $rc = "$2" ] || fail "run $1: guest exited $rc, expected $2; its output:
$(cat "$tmp/$1.result")
console ends:
$(tr -d '\r' < "$tmp/$1.console" | tail -n 5)"
}

# --- Run 1: ping, kernel, modules, NFS client modules ---------------------------------------------
cat > "$tmp/basic.sh" <<'EOF'
set -e
echo "kernel $(uname -r), address $TAPNFS_IP"
ping -c 3 -i 0.2 -W 3 10.77.0.1
t0=$(cut -d' ' -f1 /proc/uptime)
modprobe nfs
modprobe nfsv3
modprobe nfsv4
t1=$(cut -d' ' -f1 /proc/uptime)
echo "modprobe nfs nfsv3 nfsv4: $(awk "BEGIN { print $t1 - $t0 }") s"
lsmod
grep -w nfs4 /proc/filesystems
echo guest-selftest-ok
EOF
echo "selftest: namespace $ns, guest kernel $kver"
guest basic 0
basic_ms=$run_ms
cat "$tmp/basic.result"
r="$tmp/basic.result"
grep -q "kernel $kver, address 10.77.0.3/24" "$r" || fail "no kernel/address line"
grep -q "3 packets transmitted, 3 packets received" "$r" || fail "ping lost packets"
for m in virtio_net sunrpc nfs nfsv3 nfsv4; do grep -q "^$m " "$r" || fail "module $m not loaded"; done
grep -q guest-selftest-ok "$r" || fail "the test script did not finish"

# --- Run 2: NFS mounts reach the host side; a failing script's status comes through ----------------
# socat -T 3: its per-connection children end 3 s after the guest is gone. Started through
# timeout(1), which passes our kill on to socat and those children.
ip netns exec "$ns" timeout 120 socat -u -T 3 TCP-LISTEN:2049,bind=10.77.0.1,reuseaddr,fork \
  OPEN:"$tmp/rpc.bin",creat,append &
sink=$!
cat > "$tmp/nfs.sh" <<'EOF'
mkdir -p /mnt/v3 /mnt/v4
o=soft,timeo=5,retrans=0,addr=10.77.0.1     # busybox mount: the kernel needs addr= itself
mount -t nfs -o vers=3,proto=tcp,port=2049,mountport=2049,mountproto=tcp,nolock,$o 10.77.0.1:/x /mnt/v3
mount -t nfs4 -o vers=4.1,clientaddr=10.77.0.3,$o 10.77.0.1:/ /mnt/v4
echo "failing on purpose"
exit 42
EOF
guest nfs 42
nfs_ms=$run_ms
kill "$sink" 2>/dev/null || true
wait "$sink" 2>/dev/null || true
sink=""
rpc="$(od -An -v -tx1 "$tmp/rpc.bin" 2>/dev/null | tr -d ' \n')"
# ONC RPC calls: program 100005 (0x186a5, MOUNT) version 3; program 100003 (0x186a3, NFS) version 4.
case "$rpc" in *000186a500000003*) ;; *) fail "no MOUNT v3 call arrived at 10.77.0.1:2049" ;; esac
case "$rpc" in *000186a300000004*) ;; *) fail "no NFSv4 call arrived at 10.77.0.1:2049" ;; esac

c="$tmp/basic.console"
echo "selftest: ok"
echo "selftest: run 1 guest uptime: /init $(at "$c" 'userspace up')s, eth0 up $(at "$c" 'eth0 up')s," \
  "test done $(at "$c" 'exit status')s; wall time ${basic_ms} ms (qemu start to exit)"
echo "selftest: run 2 (NFS mount attempts, exit 42): wall time ${nfs_ms} ms"
echo "selftest: total $(($(now_ms) - t_start)) ms"
