#!/usr/bin/env bash
# tapnfs demo: the whole chain in one command, on this machine only. Builds what it needs (the
# server jar, the lab packages, the guest kernel), makes a private network namespace with a bridge,
# starts tapnfs there exporting a directory, boots the lab's Linux guest on the same bridge, mounts
# NFSv3 over the tap the kernel's own way (rpcbind, then MOUNT, then NFS: no port options), writes,
# reads back and lists files, prints what happened and where the capture is, and cleans up.
#
#   demo.sh [EXPORT_DIR]     (root; EXPORT_DIR defaults to /tmp/tapnfs-demo/export)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/nfs-server/target/nfs-server-0.1.0-SNAPSHOT-all.jar"
work="${TAPNFS_DEMO_WORK:-/tmp/tapnfs-demo}"
export_dir="${1:-$work/export}"
ns="tapnfs-demo-$$"
say() { echo "demo: $*"; }

[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces, TAP devices, qemu)" >&2; exit 1; }
bash "$here/install-deps.sh"
bash "$here/build-guest.sh" >/dev/null
if [ ! -f "$jar" ] || [ -n "$(find "$root"/{netstack,rpc,portmap,nfs-server}/src/main -newer "$jar" -print -quit)" ]; then
  say "building the server..."
  (cd "$root" && mvn -q -B -pl nfs-server -am -DskipTests package)
fi

mkdir -p "$work" "$export_dir"
chmod 777 "$export_dir"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

# Everything lives inside the namespace: the bridge with the kernel's address, tapnfs's tap, the guest's tap.
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge
ip -n "$ns" addr add 10.77.0.1/24 dev br0
ip -n "$ns" link set br0 up
for t in tn0 gtap0; do
  ip -n "$ns" tuntap add dev "$t" mode tap
  ip -n "$ns" link set "$t" master br0
  ip -n "$ns" link set "$t" up
done

say "starting tapnfs in namespace $ns, exporting $export_dir"
ip netns exec "$ns" java -jar "$jar" serve --tap tn0 --ip 10.77.0.2/24 --export "$export_dir" \
  --state-dir "$work/state" --control "$work/control.sock" --pcap "$work/demo.pcap" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q "tapnfs: ready" "$work/server.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "tapnfs: ready" "$work/server.log" || { echo "demo: tapnfs did not start" >&2; cat "$work/server.log" >&2; exit 1; }
sed 's/^/  /' "$work/server.log"

cat > "$work/guest.sh" <<GUEST
set -e
mkdir -p /mnt
echo "guest: mount -t nfs -o vers=3,nolock,addr=10.77.0.2 10.77.0.2:$export_dir /mnt"
mount -t nfs -o vers=3,nolock,addr=10.77.0.2 10.77.0.2:$export_dir /mnt
echo "guest: writing"
echo "hello from the Linux NFS client, \$(date)" > /mnt/hello.txt
mkdir -p /mnt/photos/2026
dd if=/dev/urandom of=/mnt/photos/2026/random.bin bs=1M count=4 2>/dev/null
echo "guest: reading back"
cat /mnt/hello.txt
sha256sum /mnt/photos/2026/random.bin
echo "guest: listing"
ls -lR /mnt
umount /mnt
echo "guest: unmounted"
GUEST

say "booting the Linux guest (qemu TCG) on the same bridge; it mounts tapnfs over the tap"
bash "$here/run-guest.sh" --netns "$ns" --tap gtap0 --ip 10.77.0.3/24 --script "$work/guest.sh" \
  --out "$work/guest.out" --console "$work/guest.console" --timeout 300 >/dev/null || status=$?
sed 's/^/  /' "$work/guest.out"
if [ "${status:-0}" != 0 ]; then echo "demo: the guest failed (status $status); console: $work/guest.console" >&2; exit 1; fi

say "on the server side, in $export_dir:"
(cd "$export_dir" && ls -lR . | sed 's/^/  /' && sha256sum photos/2026/random.bin | sed 's/^/  /')
say "tapnfs counters (NFS part):"
ip netns exec "$ns" java -jar "$jar" stat --control "$work/control.sock" | sed -n '/^mount:/,$p' | sed 's/^/  /'
say "capture of every frame: $work/demo.pcap (tshark -r $work/demo.pcap)"
say "done"
