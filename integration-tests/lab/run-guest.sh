#!/usr/bin/env bash
# Boots the lab guest (build-guest.sh) once under qemu TCG inside network namespace NS, on TAP: an
# existing persistent tap in NS (`ip tuntap add dev TAP mode tap`, usually on a bridge), runs the
# test script in it and powers it off.
#
#   run-guest.sh --netns NS --tap TAP --ip A.B.C.D/P [--gw A.B.C.D] [--script FILE]
#                [--out RESULT_FILE] [--console CONSOLE_LOG] [--timeout SECONDS] [--mem MB]
#                [--append "KERNEL PARAMS"] [--mac MAC] [--cache DIR] [--interactive]
#
# The script runs as /test.sh under busybox sh, as root, in /root, with TAPNFS_IP (and TAPNFS_GW,
# and TAPNFS_X for every tapnfs.x=... in --append) exported. It is added per run as a second cpio
# archive after the cached initramfs (the kernel unpacks concatenated archives in order).
# Its stdout+stderr arrive through the guest's second serial port in RESULT_FILE, which is printed
# at the end; kernel and init messages go to CONSOLE_LOG (both default to temporary files).
#
# Exit status: the script's (0..126; above 126 reads 126), 124 on timeout, 125 when the guest or
# qemu failed before reporting one (the console log's tail goes to stderr).
# The guest reports through isa-debug-exit with value = status + 1; qemu then exits with
# (value << 1) | 1 = 2*status + 3, decoded here as (rc >> 1) - 1, and trusted only if the console
# log also has init's "tapnfs-init: exit status" line. Otherwise there was no report: qemu 0 = the
# guest powered off or panicked (-no-reboot), 1 = qemu failed (e.g. the tap is busy).
#
# --interactive: console on this terminal and a shell after the script (or instead of one); the
# shell's exit status ends the guest. The monitor is on Ctrl-A c, Ctrl-A x quits.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/../../.lab-cache/guest"
ns="" tap="" ip="" gw="" script="" out="" console="" timeout=120 mem=512 append="" mac="" interactive=0
usage() { sed -n '6,8p' "$0" | sed 's/^# *//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --netns) ns="$2"; shift 2 ;;
    --tap) tap="$2"; shift 2 ;;
    --ip) ip="$2"; shift 2 ;;
    --gw) gw="$2"; shift 2 ;;
    --script) script="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --console) console="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --mem) mem="$2"; shift 2 ;;
    --append) append="$2"; shift 2 ;;
    --mac) mac="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    --interactive) interactive=1; shift ;;
    -h|--help) usage ;;
    *) echo "run-guest: unknown option $1" >&2; usage ;;
  esac
done
[ -n "$ns" ] && [ -n "$tap" ] && [ -n "$ip" ] || { echo "run-guest: --netns, --tap and --ip are required" >&2; usage; }
[ -s "$cache/vmlinux" ] && [ -s "$cache/initramfs.cpio" ] ||
  { echo "run-guest: no guest in $cache (run build-guest.sh)" >&2; exit 125; }
[ -e "/run/netns/$ns" ] || { echo "run-guest: no network namespace $ns" >&2; exit 125; }
ip -n "$ns" link show dev "$tap" >/dev/null 2>&1 ||
  { echo "run-guest: no tap $tap in namespace $ns" >&2; exit 125; }
[ -z "$script" ] || [ -f "$script" ] || { echo "run-guest: no script $script" >&2; exit 125; }

# Per-run files (~20 MB) in TMPDIR/tnlab-run.PID.*; remove those of runs that were SIGKILLed.
for d in "${TMPDIR:-/tmp}"/tnlab-run.*; do
  [ -d "$d" ] || continue
  pid="${d##*/tnlab-run.}"
  kill -0 "${pid%%.*}" 2>/dev/null || rm -rf "$d"
done
tmp="$(mktemp -d "${TMPDIR:-/tmp}/tnlab-run.$$.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
out="${out:-$tmp/result}"
console="${console:-$tmp/console}"
: > "$out"
: > "$console"

# The cached initramfs plus, per run, a tiny archive holding /test.sh.
cp "$cache/initramfs.cpio" "$tmp/initrd"
if [ -n "$script" ]; then
  mkdir "$tmp/extra"
  install -m 755 "$script" "$tmp/extra/test.sh"
  (cd "$tmp/extra" && echo test.sh | cpio -o -H newc -R 0:0 --quiet) >> "$tmp/initrd"
fi
# A locally administered MAC derived from namespace and tap, so concurrent labs never share one.
mac="${mac:-52:54:00:$(echo "$ns/$tap" | md5sum | sed 's/^\(..\)\(..\)\(..\).*/\1:\2:\3/')}"
# Boot time under TCG: cryptomgr.notests (no crypto self-tests) and noapictimer (no 100 ms APIC
# timer calibration; the HPET ticks instead) save ~0.3 s, mitigations=off a little more. The NIC's
# iPXE option ROM is left out (romfile=): it only costs firmware time.
cmdline="console=ttyS0 quiet panic=-1 cryptomgr.notests=1 noapictimer mitigations=off tapnfs.ip=$ip"
[ -z "$gw" ] || cmdline="$cmdline tapnfs.gw=$gw"
[ $interactive = 0 ] || cmdline="$cmdline tapnfs.shell=1"
[ -z "$append" ] || cmdline="$cmdline $append"

qemu=(qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp 1 -m "$mem"
      -nographic -nodefaults -no-reboot
      -kernel "$cache/vmlinux" -initrd "$tmp/initrd" -append "$cmdline"
      -netdev tap,id=n0,ifname="$tap",script=no,downscript=no
      -device virtio-net-pci,netdev=n0,mac="$mac",romfile=
      -device isa-debug-exit,iobase=0xf4,iosize=0x04)
command -v qemu-system-x86_64 >/dev/null || { echo "run-guest: no qemu-system-x86_64 (install-deps.sh)" >&2; exit 125; }
start=$SECONDS
set +e
if [ $interactive = 1 ]; then
  ip netns exec "$ns" "${qemu[@]}" -serial mon:stdio -serial file:"$out"
  rc=$?
else
  # timeout --foreground: qemu stays in the caller's process group (a killed group takes it
  # along); -k: SIGKILL if qemu ignores the SIGTERM. setpriv --pdeathsig: if this script dies,
  # timeout dies, and then qemu. In the background so that a TERM/INT trap runs (and the temp
  # directory goes) at once, not after qemu.
  trap 'exit 143' TERM HUP
  trap 'exit 130' INT
  ip netns exec "$ns" setpriv --pdeathsig KILL timeout --foreground -k 5 "$timeout" \
    setpriv --pdeathsig KILL "${qemu[@]}" -serial file:"$console" -serial file:"$out" \
    </dev/null >"$tmp/qemu.log" 2>&1 &
  wait $!
  rc=$?
fi
set -e

cat "$out"
# timeout(1) exits 124, or 137 after the SIGKILL (137 could also be a guest's 67: check the clock).
if [ $rc -eq 124 ] || { [ $rc -eq 137 ] && [ $((SECONDS - start)) -ge "$timeout" ]; }; then
  echo "run-guest: timed out after ${timeout}s; console log ends:" >&2
  tail -n 20 "$console" >&2
  exit 124
fi
# A status only counts if the guest's init also logged it (qemu, ip, timeout have odd codes too).
if [ $rc -ge 3 ] && [ $((rc & 1)) -eq 1 ] &&
   { [ $interactive = 1 ] || grep -q 'tapnfs-init: exit status' "$console"; }; then
  exit $(((rc >> 1) - 1))
fi
echo "run-guest: guest ended without a status (qemu exit $rc); qemu said:" >&2
cat "$tmp/qemu.log" >&2
echo "run-guest: console log ends:" >&2
tail -n 20 "$console" >&2
exit 125
