#!/usr/bin/env bash
# Builds the lab guest, once, into CACHE_DIR (default <repo>/.lab-cache/guest):
#   vmlinux           Debian's kernel, uncompressed, booted through its PVH entry (-kernel)
#   initramfs.cpio.gz busybox-static, /init (guest-init.sh), virtio-net and the NFS client modules
# The stamp file holds a hash of this script and the init: change either and it rebuilds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${1:-$here/../../.lab-cache/guest}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
stamp="$(cat "$here/build-guest.sh" "$here/guest-init.sh" | sha256sum | cut -c1-16)"
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] && [ -f "$cache/vmlinux" ] && [ -f "$cache/initramfs.cpio.gz" ]; then
  exit 0
fi
bash "$here/install-deps.sh"
work="$cache/work"
rm -rf "$work" && mkdir -p "$work"
cd "$work"

# 1. The kernel package linux-image-amd64 points at, unpacked (no install).
pkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"
if [ -z "$pkg" ]; then apt-get update -qq; pkg="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"; fi
echo "guest: kernel package $pkg" >&2
apt-get download "$pkg" >/dev/null 2>&1 || { apt-get update -qq; apt-get download "$pkg" >/dev/null; }
dpkg -x ./"$pkg"_*.deb kroot
kver="$(ls kroot/lib/modules)"
depmod -b kroot "$kver"          # the .deb ships no modules.dep

# 2. vmlinux out of the bzImage (as the kernel's scripts/extract-vmlinux does): find the
#    compressed payload's magic, decompress from there, keep the result if it is an ELF.
vmlinuz="kroot/boot/vmlinuz-$kver"
extract() {  # magic-as-grep-pattern decompress-command
  for off in $(LC_ALL=C grep -abo -P "$1" "$vmlinuz" | cut -d: -f1); do
    tail -c +$((off + 1)) "$vmlinuz" | $2 > vmlinux.try 2>/dev/null || true
    if [ "$(head -c 4 vmlinux.try | od -An -tx1 | tr -d ' ')" = "7f454c46" ]; then mv vmlinux.try vmlinux; return 0; fi
  done
  return 1
}
extract '\xFD\x37\x7A\x58\x5A\x00' 'xz -dc' || extract '\x28\xB5\x2F\xFD' 'zstd -dc' || extract '\x1F\x8B\x08' 'gzip -dc' \
  || { echo "guest: cannot extract vmlinux from $vmlinuz" >&2; exit 1; }

# 3. The initramfs: busybox and its applets, the init, the module closure.
mkdir -p ir/bin ir/sbin ir/etc ir/proc ir/sys ir/dev ir/tmp ir/mnt "ir/lib/modules/$kver"
cp /bin/busybox ir/bin/busybox
for a in $(/bin/busybox --list); do
  [ "$a" = busybox ] && continue
  ln -sf busybox "ir/bin/$a"
done
cp "$here/guest-init.sh" ir/init && chmod 755 ir/init
# Host tools the tests drive inside the guest (busybox nc has no UDP): each binary with the
# shared libraries ldd lists for it, at the same paths.
for tool in socat; do
  bin="$(command -v "$tool")"
  install -D "$bin" "ir/usr/bin/$tool"
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do install -D "$lib" "ir$lib"; done
done
mods="virtio_pci virtio_net af_packet nfs nfsv3 nfsv4"
for f in $(for m in $mods; do modprobe -d kroot -S "$kver" --show-depends "$m" 2>/dev/null; done | awk '$1=="insmod" {print $2}' | sort -u); do
  rel="${f#kroot/lib/modules/$kver/}"
  mkdir -p "ir/lib/modules/$kver/$(dirname "$rel")"
  cp "$f" "ir/lib/modules/$kver/$rel"
done
cp kroot/lib/modules/"$kver"/modules.{builtin,builtin.modinfo,order} "ir/lib/modules/$kver/" 2>/dev/null || true
depmod -b ir "$kver"
(cd ir && find . | cpio -o -H newc --quiet | gzip -1) > initramfs.cpio.gz

mv vmlinux initramfs.cpio.gz "$cache/"
echo "$kver" > "$cache/kernel-version"
cd "$cache" && rm -rf "$work"
echo "$stamp" > "$cache/stamp"
echo "guest: $cache/vmlinux ($kver), $cache/initramfs.cpio.gz" >&2
