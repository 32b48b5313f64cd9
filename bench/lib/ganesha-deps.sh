# Sourced by bench/nfs and bench/nfs-client: installs nfs-ganesha (FSAL_VFS) and rpcbind from
# Debian, once, for lab/ganesha.sh. As lab/install-deps.sh: no package may start a daemon
# (ganesha's would serve the host, statd and rpcbind would listen on it), so a policy-rc.d refuses
# every start while apt runs; on systemd hosts the ganesha units are masked so a boot does not
# start them. Expects `set -euo pipefail` from the caller; prints on stderr only.
ganesha_deps() {
  local missing=() p policy ours=""
  for p in nfs-ganesha nfs-ganesha-vfs rpcbind; do
    [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "ganesha-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && ours=1
  fi
  trap '[ -n "'"$ours"'" ] && rm -f "'"$policy"'"' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
  if [ -d /run/systemd/system ]; then
    systemctl mask --now nfs-ganesha.service nfs-ganesha-lock.service nfs-ganesha-config.service \
      rpcbind.socket rpcbind.service >/dev/null 2>&1 || true
  fi
  [ -z "$ours" ] || rm -f "$policy"
  trap - EXIT
}
