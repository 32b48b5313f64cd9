#!/usr/bin/env bash
# Everything the Docker image test needs on this machine, idempotent and cached:
#   1. Debian's docker.io engine and debootstrap (apt, once; no daemon starts at install);
#   2. a running engine: if none answers, dockerd is started (--iptables=false --bridge=none:
#      containers get no network of the host) and its pid kept in /run/tapnfs-dockerd.pid so
#      `prepare.sh stop` stops only an engine this script started;
#   3. the base image tapnfs-base:bookworm, from `debootstrap --variant=minbase bookworm` and
#      `docker import` (Docker Hub is not reachable here);
#   4. docker/debs/: the JRE and libnfs-utils .debs for that base, downloaded on the host against
#      the base's dpkg status, so `docker build --network none` installs them offline.
#
#   prepare.sh        prepare (as root)
#   prepare.sh stop   stop the engine if this script started it
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pidfile=/run/tapnfs-dockerd.pid
base=tapnfs-base:bookworm

if [ "${1:-}" = stop ]; then
  if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"; fi
  exit 0
fi

missing=()
for p in docker.io debootstrap; do
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "docker-prepare: installing ${missing[*]}" >&2
  policy=/usr/sbin/policy-rc.d ours=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; ours=1; fi
  trap '[ -n "$ours" ] && rm -f "$policy"' EXIT
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

docker=/usr/bin/docker
if ! $docker info >/dev/null 2>&1; then
  echo "docker-prepare: starting dockerd" >&2
  dockerd --iptables=false --bridge=none > /var/log/tapnfs-dockerd.log 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 100); do $docker info >/dev/null 2>&1 && break; sleep 0.2; done
  $docker info >/dev/null 2>&1 || { echo "docker-prepare: dockerd did not start (see /var/log/tapnfs-dockerd.log)" >&2; exit 1; }
fi

rootfs="$here/../.lab-cache/docker-rootfs"
if ! $docker image inspect "$base" >/dev/null 2>&1; then
  echo "docker-prepare: building $base with debootstrap" >&2
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  tar -C "$rootfs" -c . | $docker import --change 'CMD ["/bin/bash"]' - "$base" >/dev/null
fi
if ! ls "$here"/debs/openjdk-17-jre-headless_*.deb >/dev/null 2>&1; then
  [ -f "$rootfs/var/lib/dpkg/status" ] || { rm -rf "$rootfs"; debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null; }
  mkdir -p "$here/debs/partial"
  apt-get -qq -o Dir::State::status="$rootfs/var/lib/dpkg/status" -o Dir::Cache::archives="$here/debs" \
    -o Debug::NoLocking=1 --download-only -y install openjdk-17-jre-headless libnfs-utils >/dev/null
  rm -rf "$here/debs/partial" "$here/debs/lock"
fi
echo "docker-prepare: engine up, $base present, $(ls "$here"/debs/*.deb | wc -l) packages in docker/debs" >&2
