#!/bin/sh
# /init of the lab guest (busybox sh as PID 1; build-guest.sh copies this file into the initramfs).
#
# 1. Reads its parameters from /proc/cmdline: every tapnfs.NAME=VALUE becomes TAPNFS_NAME=VALUE
#    (tapnfs.ip=10.77.0.3/24 -> TAPNFS_IP, tapnfs.gw -> TAPNFS_GW, ...). The kernel does not pass
#    dotted parameters to init's environment, hence the parsing here.
# 2. Loads virtio_net, gives eth0 TAPNFS_IP (and a default route via TAPNFS_GW, if set).
# 3. Starts an NFS client's daemons in the background, as any Linux NFS client host runs them:
#    rpcbind (the kernel's lockd registers NLM with it when a mount has locking on) and Debian's
#    rpc.statd (lockd asks it to monitor a server, SM_MON; a restarted server's SM_NOTIFY arrives
#    there). Both stay in the foreground of their own (-f, -F) so that nothing daemonizes away from
#    this init; statd without sm-notify (--no-notify: no server of ours was told of a boot), its
#    log (-d, debug, on stderr) in /run/statd.log. Tests wait for it (Guest.AWAIT_STATD).
# 4. Runs /test.sh (appended to the initramfs by run-guest.sh) with those variables exported; its
#    stdout+stderr go to the second serial port, /dev/ttyS1. tapnfs.shell=1 then opens a shell on
#    the console (run-guest.sh --interactive).
# 5. Ends qemu through isa-debug-exit (port 0xf4) with value = status + 1, so qemu exits with
#    2*status + 3 (3..255). That keeps a test status apart from qemu's own exit codes: 1 (qemu
#    error) and 0 (guest powered off or panicked without reporting). Statuses above 126 cannot be
#    encoded and are reported as 126; the console log has the real one.
# Console (ttyS0): the kernel's warnings and this script's "tapnfs-init:" lines, with guest uptime.
# Never exits: PID 1 exiting panics the kernel.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null   # the kernel may have mounted it already
mkdir -p /dev/pts /tmp /run /mnt /root
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
hostname guest

log() { echo "tapnfs-init: $* [t=$(cut -d' ' -f1 /proc/uptime)s]"; }

# Exit qemu with a status (see 4. above). busybox has no outb: dd one byte into /dev/port at 0xf4.
quit() {
  log "exit status $1"
  code=$1; [ "$code" -gt 126 ] && code=126
  printf "\\$(printf '%03o' $((code + 1)))" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
  poweroff -f   # only reached without the isa-debug-exit device: qemu then exits 0
}
# A broken guest set-up: report it where the test output would be, exit 125.
fail() { echo "guest: $*" > /dev/ttyS1; log "setup failed: $*"; quit 125; }

log "userspace up"
for word in $(cat /proc/cmdline); do
  case "$word" in
    tapnfs.*=*)
      name=$(echo "${word%%=*}" | sed 's/^tapnfs\.//; s/[^A-Za-z0-9]/_/g' | tr a-z A-Z)
      export "TAPNFS_$name=${word#*=}" ;;
  esac
done

ip link set lo up
[ -n "${TAPNFS_IP:-}" ] && echo "${TAPNFS_IP%/*} $(hostname)" >> /etc/hosts
modprobe virtio_pci && modprobe virtio_net || fail "cannot load virtio_net"
i=0
while [ ! -e /sys/class/net/eth0 ]; do
  i=$((i + 1)); [ $i -gt 200 ] && fail "no eth0 (is there a virtio-net-pci device?)"
  sleep 0.01
done
if [ -n "${TAPNFS_IP:-}" ]; then
  ip addr add "$TAPNFS_IP" dev eth0 || fail "cannot set address $TAPNFS_IP"
fi
ip link set eth0 up || fail "cannot bring eth0 up"
if [ -n "${TAPNFS_GW:-}" ]; then
  ip route add default via "$TAPNFS_GW" || fail "cannot add default route via $TAPNFS_GW"
fi
i=0
# virtio-net raises the carrier a moment after probing. (operstate, and with it the RUNNING flag,
# follows ~1 s later through the kernel's linkwatch; traffic flows before that.)
while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ]; do
  i=$((i + 1)); [ $i -gt 200 ] && fail "eth0 has no carrier"
  sleep 0.01
done
log "eth0 up ${TAPNFS_IP:-without address} ($(cat /sys/class/net/eth0/address))"

mkdir -p /run/rpcbind /var/lib/nfs/sm /var/lib/nfs/sm.bak
rpcbind -f -w > /run/rpcbind.log 2>&1 &
( i=0
  while [ ! -S /run/rpcbind.sock ]; do   # statd registers with rpcbind at start
    i=$((i + 1)); [ $i -gt 1000 ] && { echo "no rpcbind"; exit 1; }
    sleep 0.01
  done
  exec rpc.statd -F -d --no-notify ) > /run/statd.log 2>&1 < /dev/null &
log "rpcbind and rpc.statd starting"

stty -F /dev/ttyS1 -opost 2>/dev/null   # plain \n in the result file, not \r\n
status=0
if [ -f /test.sh ]; then
  log "running /test.sh"
  (cd /root && sh /test.sh) > /dev/ttyS1 2>&1 < /dev/null
  status=$?
  log "/test.sh exited $status"
elif [ "${TAPNFS_SHELL:-0}" != 1 ]; then
  echo "guest: no /test.sh, booted fine" > /dev/ttyS1
fi
if [ "${TAPNFS_SHELL:-0}" = 1 ]; then
  log "shell on the console; its exit status ends the guest"
  setsid -c sh -l < /dev/ttyS0 > /dev/ttyS0 2>&1
  status=$?
fi
quit "$status"
