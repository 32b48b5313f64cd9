#!/usr/bin/env bash
# Runs the lab guest once, inside network namespace NS, on an existing persistent tap on the
# lab bridge. The test script is appended to the cached initramfs as a second cpio archive (the
# kernel unpacks concatenated archives in order). The guest's test output arrives through its
# second serial port into --out; its exit status becomes ours (124 on timeout).
#
# run-guest.sh --netns NS --tap TAP --ip A.B.C.D/P [--gw IP] [--script FILE] [--out FILE]
#              [--console FILE] [--timeout SECONDS] [--mem MB] [--cache DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/../../.lab-cache/guest"
ns="" tap="" ip="" gw="" script="" out="" console="" timeout=120 mem=512
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
    --cache) cache="$2"; shift 2 ;;
    *) echo "run-guest: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$ns" ] && [ -n "$tap" ] && [ -n "$ip" ] || { echo "run-guest: --netns, --tap and --ip are required" >&2; exit 2; }
[ -f "$cache/vmlinux" ] || { echo "run-guest: no guest in $cache (run build-guest.sh)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="${out:-$tmp/result}"
console="${console:-$tmp/console}"
: > "$out"

cp "$cache/initramfs.cpio.gz" "$tmp/initrd"
if [ -n "$script" ]; then
  mkdir -p "$tmp/extra"
  cp "$script" "$tmp/extra/test.sh"
  (cd "$tmp/extra" && echo test.sh | cpio -o -H newc --quiet | gzip -1) >> "$tmp/initrd"
fi
# A MAC from the namespace name, so two guests in two labs never share one.
mac="52:54:00:$(echo "$ns$tap" | md5sum | sed 's/^\(..\)\(..\)\(..\).*/\1:\2:\3/')"
append="console=ttyS0 quiet panic=-1 tapnfs.ip=$ip"
[ -n "$gw" ] && append="$append tapnfs.gw=$gw"

set +e
# timeout --foreground: qemu otherwise escapes the caller's process group on a time-out.
ip netns exec "$ns" timeout --foreground -k 5 "$timeout" qemu-system-x86_64 \
  -machine q35,accel=tcg -cpu max -m "$mem" -smp 1 -nographic -no-reboot -nodefaults \
  -kernel "$cache/vmlinux" -initrd "$tmp/initrd" -append "$append" \
  -netdev tap,id=n0,ifname="$tap",script=no,downscript=no -device virtio-net-pci,netdev=n0,mac="$mac" \
  -serial file:"$console" -serial file:"$out" \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >/dev/null 2>"$tmp/qemu.err"
rc=$?
set -e
cat "$out"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then echo "run-guest: timed out after ${timeout}s" >&2; tail -20 "$console" >&2; exit 124; fi
# isa-debug-exit: qemu exits with (value << 1) | 1; a plain 0 means the guest powered off without it.
if [ $((rc & 1)) -eq 1 ]; then exit $((rc >> 1)); fi
echo "run-guest: qemu exited $rc without a test status" >&2
cat "$tmp/qemu.err" >&2; tail -20 "$console" >&2
exit 125
