#!/usr/bin/env bash
# Installs what the lab needs from Debian's packages, once. Quiet when everything is present.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-x86_64 || need+=(qemu-system-x86)
# the guest needs the static busybox (the dynamic one cannot run in a bare initramfs)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "ok installed" || need+=(busybox-static)
have depmod || need+=(kmod)
have cpio || need+=(cpio)
have xz || need+=(xz-utils)
have socat || need+=(socat)
have tshark || need+=(tshark)
have arping || need+=(arping)
have ping || need+=(iputils-ping)
have ip || need+=(iproute2)
have pkill || need+=(procps)
have gzip || need+=(gzip)
[ ${#need[@]} -eq 0 ] && exit 0
echo "lab: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer before it can block.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
