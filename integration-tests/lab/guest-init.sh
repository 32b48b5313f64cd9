#!/bin/sh
# /init of the lab guest (busybox). Parameters come from /proc/cmdline: the kernel does not pass
# dotted parameters (tapnfs.ip=...) to init's environment.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /tmp /run /mnt && mount -t tmpfs tmp /tmp

for w in $(cat /proc/cmdline); do
  case "$w" in
    tapnfs.ip=*) TAPNFS_IP=${w#tapnfs.ip=} ;;
    tapnfs.gw=*) TAPNFS_GW=${w#tapnfs.gw=} ;;
  esac
done
export TAPNFS_IP TAPNFS_GW

# Exit qemu through isa-debug-exit (iobase 0xf4): qemu's status becomes (value << 1) | 1.
finish() {
  printf "\\$(printf '%03o' "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
  poweroff -f
}

modprobe virtio_pci; modprobe virtio_net
ip link set lo up
ip link set eth0 up
[ -n "$TAPNFS_IP" ] && ip addr add "$TAPNFS_IP" dev eth0
[ -n "$TAPNFS_GW" ] && ip route add default via "$TAPNFS_GW"

status=0
if [ -f /test.sh ]; then
  sh /test.sh > /dev/ttyS1 2>&1 || status=$?
else
  echo "no /test.sh" > /dev/ttyS1
  status=125
fi
sync
finish "$status"
