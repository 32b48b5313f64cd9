#!/usr/bin/env bash
# Installs the Debian packages the lab needs, once: if any is missing, one `apt-get update` and one
# `apt-get install -y`. Silent when everything is already installed. Needs root (apt).
#
#   install-deps.sh
set -euo pipefail

# busybox-static (not busybox): the guest's initramfs has no shared libraries for busybox.
packages=(python3 qemu-system-x86 busybox-static kmod cpio gzip xz-utils zstd socat tshark arping
          iputils-ping iproute2 procps util-linux)

missing=()
for p in "${packages[@]}"; do
  # "ii " = wanted and installed; anything else (absent, half-installed, removed) counts as missing.
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture: answer "no" before it can ask.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
