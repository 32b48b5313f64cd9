#!/usr/bin/env bash
# Installs the Debian packages the lab needs, once: if any is missing, one `apt-get update` and one
# `apt-get install -y`. Silent when everything is already installed. Needs root (apt).
#
#   install-deps.sh
set -euo pipefail

# busybox-static (not busybox): the guest's initramfs has no shared libraries for busybox.
# rpcbind and nfs-common: for rpcinfo and showmount only; no daemon may start (see policy-rc.d below).
packages=(python3 qemu-system-x86 busybox-static kmod cpio gzip xz-utils zstd socat tshark arping
          iputils-ping iproute2 procps util-linux rpcbind libnfs-utils nfs-common)

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
# No package may start a daemon (rpcbind's would listen on the host's port 111): a policy-rc.d
# that refuses every start, removed afterwards if we put it there.
policy=/usr/sbin/policy-rc.d
ours=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && ours=1
fi
trap '[ -n "$ours" ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
# systemd socket activation would still bind 111 on boot: mask the units if systemd is there.
if [ -d /run/systemd/system ]; then systemctl mask --now rpcbind.socket rpcbind.service >/dev/null 2>&1 || true; fi
