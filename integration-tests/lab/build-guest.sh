#!/usr/bin/env bash
# Builds the lab's Linux guest, once, into CACHE_DIR (default <repo>/.lab-cache/guest):
#   vmlinux          Debian's kernel (the package linux-image-amd64 depends on), uncompressed out of
#                    its bzImage: qemu boots it through the PVH entry, ~3 s sooner than the bzImage
#                    under TCG (no in-guest xz decompression).
#   initramfs.cpio   busybox-static with all its applets, /init (guest-init.sh), socat, an NFS
#                    client's daemons (rpcbind, rpc.statd, sm-notify; rpcinfo), tools/lockprobe
#                    (an fcntl lock holder, compiled static here), and the kernel modules for
#                    virtio-net on q35 and the NFS client (v3 and v4) with modules.dep, so that
#                    modprobe works. Uncompressed on purpose: the guest unpacks it ~0.45 s faster
#                    than a gzip one under TCG.
#   kernel-version   e.g. 6.1.0-56-amd64
#   linux-image-*.deb  the downloaded package, kept so a rebuild needs no network
# Skips everything when the outputs exist and `stamp` matches a hash of this script,
# guest-init.sh and tools/lockprobe.c. Prints the paths of vmlinux and initramfs.cpio (stdout) at the end.
#
#   build-guest.sh [CACHE_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${1:-$here/../../.lab-cache/guest}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

MODULES="virtio_pci virtio_net nfs nfsv3 nfsv4"   # + dependencies, resolved by modprobe
TOOLS="socat rpcbind rpc.statd sm-notify rpcinfo flock"   # host programs copied in with their libraries
                                                  # (rpcbind: the kernel's lockd registers NLM with it,
                                                  # so a mount with locking on needs one in the guest;
                                                  # rpc.statd, Debian's nfs-common: lockd's SM_MON goes
                                                  # to it, and a server's SM_NOTIFY after a restart;
                                                  # flock, util-linux's: busybox has none, locks over
                                                  # NFS are NLM's; sm-notify: a rebooted
                                                  # client tells the servers it held locks on)

die() { echo "build-guest: $*" >&2; exit 1; }
stamp="$(cat "$here/build-guest.sh" "$here/guest-init.sh" "$here/tools/lockprobe.c" | sha256sum | cut -c1-16)"
built() {
  [ "$(cat "$cache/stamp" 2>/dev/null)" = "$stamp" ] && [ -s "$cache/vmlinux" ] && [ -s "$cache/initramfs.cpio" ]
}
report() { echo "$cache/vmlinux"; echo "$cache/initramfs.cpio"; }

exec 9>"$cache/.lock"
flock 9                     # one build at a time; a second caller waits, then finds it built
if built; then report; exit 0; fi

bash "$here/install-deps.sh"
rm -f "$cache/stamp"
work="$(mktemp -d "$cache/work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
kroot="$work/kroot" ir="$work/initramfs"

# --- 1. Debian's kernel package, unpacked (not installed) --------------------------------------
kernel_package() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9].*-amd64$/ { print $2; exit }'
}
pkg="$(kernel_package)"
if [ -z "$pkg" ]; then apt-get update -qq; pkg="$(kernel_package)"; fi
[ -n "$pkg" ] || die "cannot tell which linux-image-*-amd64 linux-image-amd64 depends on"
kver="${pkg#linux-image-}"
deb="$(ls "$cache/${pkg}_"*_amd64.deb 2>/dev/null | head -n 1 || true)"
if [ -z "$deb" ]; then
  echo "build-guest: downloading $pkg" >&2
  (cd "$work" && apt-get download -qq "$pkg" 2>/dev/null) ||
    { apt-get update -qq; (cd "$work" && apt-get download -qq "$pkg"); }
  rm -f "$cache"/linux-image-*.deb                  # an older kernel's package
  mv "$work/${pkg}_"*_amd64.deb "$cache/"
  deb="$(ls "$cache/${pkg}_"*_amd64.deb)"
fi
dpkg -x "$deb" "$kroot"
[ -d "$kroot/lib/modules/$kver" ] || die "$deb has no /lib/modules/$kver"
depmod -b "$kroot" "$kver"                          # the .deb ships no modules.dep

# --- 2. vmlinux out of the bzImage ---------------------------------------------------------------
# As the kernel's scripts/extract-vmlinux does: find a compressor's magic in the bzImage, decompress
# from there, keep the first result that is an ELF file. (Debian bookworm: xz.)
vmlinuz="$kroot/boot/vmlinuz-$kver"
decompress_from() {  # MAGIC (grep -P bytes) COMMAND...
  local magic=$1 off; shift
  for off in $(LC_ALL=C grep -aboP "$magic" "$vmlinuz" | cut -d: -f1); do
    tail -c "+$((off + 1))" "$vmlinuz" | "$@" > "$work/vmlinux" 2>/dev/null || true
    if [ "$(head -c 4 "$work/vmlinux" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] &&
       [ "$(stat -c %s "$work/vmlinux")" -gt 1000000 ]; then
      echo "build-guest: vmlinux: $1 payload at offset $off of $(basename "$vmlinuz")" >&2
      return 0
    fi
  done
  return 1
}
decompress_from '\xFD\x37\x7A\x58\x5A\x00' xz -dc --single-stream ||
  decompress_from '\x28\xB5\x2F\xFD' zstd -dc ||
  decompress_from '\x1F\x8B\x08' gzip -dc ||
  die "found no xz, zstd or gzip payload that decompresses to an ELF in $vmlinuz"

# --- 3. The initramfs ----------------------------------------------------------------------------
mkdir -p "$ir"/{bin,dev,etc,lib,lib64,mnt,proc,root,run,sys,tmp,usr/bin,usr/sbin}
ln -s bin "$ir/sbin"                                # /sbin/modprobe: the kernel's module loader
# busybox: static, every applet as a link (all in /bin).
ldd /bin/busybox >/dev/null 2>&1 && die "/bin/busybox is dynamically linked (install busybox-static)"
cp /bin/busybox "$ir/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$ir/bin/$applet"
done
install -m 755 "$here/guest-init.sh" "$ir/init"
printf 'root:x:0:0:root:/root:/bin/sh\n_rpc:x:100:65534::/run/rpcbind:/bin/false\n' > "$ir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ir/etc/group"
cp /etc/netconfig "$ir/etc/netconfig"              # libtirpc (rpcbind) reads the transports from it
mkdir -p "$ir/var" && ln -sfn /run "$ir/var/run"   # lockd reaches rpcbind at /var/run/rpcbind.sock
echo '127.0.0.1 localhost' > "$ir/etc/hosts"      # guest-init.sh adds the guest's own name
printf 'passwd: files\ngroup: files\nhosts: files\n' > "$ir/etc/nsswitch.conf"   # no DNS to wait for
cp /etc/rpc "$ir/etc/rpc"                          # program names for rpcinfo ("status", "nlockmgr")
cp /etc/services "$ir/etc/services"                # libtirpc finds rpcbind as service "sunrpc"
mkdir -p "$ir/var/lib/nfs/sm" "$ir/var/lib/nfs/sm.bak"   # statd's state (Debian: /var/lib/nfs)

# Host programs the tests use (busybox nc has no UDP), each with the libraries ldd lists.
for tool in $TOOLS; do
  bin="$(command -v "$tool")" || die "no $tool on the host"
  for f in "$bin" $(ldd "$bin" | grep -o '/[^ ]*'); do install -D "$f" "$ir$f"; done
done

# lockprobe (busybox has no fcntl-lock tool; flock(1) takes whole-file locks only), static.
gcc -static -O2 -Wall -o "$ir/bin/lockprobe" "$here/tools/lockprobe.c" || die "cannot compile tools/lockprobe.c"

# Modules: MODULES and what they depend on; built-ins are listed as "builtin X" and skipped.
# Compressed modules (.ko.xz/.zst/.gz; bookworm ships plain .ko) are stored decompressed.
mdir="$ir/lib/modules/$kver"
for m in $MODULES; do
  modprobe -d "$kroot" -S "$kver" --show-depends "$m" || die "no module $m in $pkg"
done | awk '$1 == "insmod" { print $2 }' | sort -u | while read -r f; do
  rel="${f#*/lib/modules/$kver/}"
  mkdir -p "$mdir/$(dirname "$rel")"
  case "$rel" in
    *.ko.xz)  xz -dc "$f" > "$mdir/${rel%.xz}" ;;
    *.ko.zst) zstd -qdc "$f" > "$mdir/${rel%.zst}" ;;
    *.ko.gz)  gzip -dc "$f" > "$mdir/${rel%.gz}" ;;
    *)        cp "$f" "$mdir/$rel" ;;
  esac
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
  cp "$kroot/lib/modules/$kver/$f" "$mdir/"
done
depmod -b "$ir" "$kver"
for m in $MODULES; do grep -q "/$m.ko:" "$mdir/modules.dep" || die "$m missing from the initramfs"; done

(cd "$ir" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$work/initramfs.cpio"

# --- 4. Publish ----------------------------------------------------------------------------------
mv "$work/vmlinux" "$work/initramfs.cpio" "$cache/"
echo "$kver" > "$cache/kernel-version"
rm -f "$cache/initramfs.cpio.gz"                    # from earlier versions of this script
echo "$stamp" > "$cache/stamp"
echo "build-guest: kernel $kver, $(find "$mdir" -name '*.ko' | wc -l) modules," \
  "initramfs $(($(stat -c %s "$cache/initramfs.cpio") / 1048576)) MiB" >&2
report
