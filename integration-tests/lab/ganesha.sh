#!/usr/bin/env bash
# Runs Debian's nfs-ganesha (FSAL_VFS, NFSv3 over TCP) inside the lab's network namespace NS,
# exporting DIR at the bridge address, as a reference server for bench/nfs. Stays in the
# foreground until killed; prints "ganesha: ready" once MOUNT and NFS v3 are registered with its
# rpcbind.
#
#   ganesha.sh --netns NS --export DIR --work WORKDIR [--bind A.B.C.D] [--pseudo /PATH]
#
# Confinement: `ip netns exec NS` (every socket is in the lab's namespace; with no Bind_addr
# ganesha would still only see the namespace's bridge and lo), then `unshare` into a new mount and
# PID namespace (mounts private, /proc remounted). There a tmpfs goes over /run (= /var/run) and
# /var/lib/nfs, so rpcbind's socket and state (/run/rpcbind.sock), ganesha's pid file and credential
# cache, the default state directory and the system D-Bus socket are the namespace's own: the
# host's rpcbind (if any) is neither seen nor clashed with, and ganesha finds no D-Bus to register
# on (it logs that and goes on). NFSv4 recovery state goes to WORKDIR/recovery. rpcbind
# (foreground) and ganesha.nfsd -F run under a shell that is PID 1 of that PID namespace.
# SIGTERM/SIGINT/SIGHUP to this script, or its death: unshare gets SIGKILL, which (--kill-child)
# SIGKILLs PID 1, and the kernel kills everything in the PID namespace with it. Run it under
# `setpriv --pdeathsig KILL` to tie it to its caller in turn. Nothing outside NS and WORKDIR is
# touched (the export directory is served, WORKDIR holds the rest).
#
# WORKDIR gets ganesha.conf (generated) and ganesha.log; stdout gets `rpcinfo -p` and the ready line.
set -euo pipefail
ns="" dir="" work="" bind=10.77.0.1 pseudo=/ganesha
usage() { sed -n '7p' "$0" | sed 's/^# *//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --netns) ns="$2"; shift 2 ;;
    --export) dir="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --bind) bind="$2"; shift 2 ;;
    --pseudo) pseudo="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "ganesha: unknown option $1" >&2; usage ;;
  esac
done
[ -n "$ns" ] && [ -n "$dir" ] && [ -n "$work" ] || { echo "ganesha: --netns, --export and --work are required" >&2; usage; }
[ "$(id -u)" = 0 ] || { echo "ganesha: needs root" >&2; exit 1; }
[ -e "/run/netns/$ns" ] || { echo "ganesha: no network namespace $ns" >&2; exit 1; }
command -v ganesha.nfsd >/dev/null && command -v rpcbind >/dev/null ||
  { echo "ganesha: needs nfs-ganesha, nfs-ganesha-vfs and rpcbind (bench/lib/ganesha-deps.sh installs them)" >&2; exit 1; }
plugins="$(dirname "$(dpkg -L nfs-ganesha-vfs | grep '/libfsalvfs\.so$' | head -n 1)")"
[ -f "$plugins/libfsalvfs.so" ] || { echo "ganesha: no libfsalvfs.so (install nfs-ganesha-vfs)" >&2; exit 1; }
mkdir -p "$work/recovery"
dir="$(cd "$dir" && pwd)"
work="$(cd "$work" && pwd)"

# Config syntax: ganesha-config(8), ganesha-core-config(8), ganesha-export-config(8) of 4.3.
cat > "$work/ganesha.conf" <<EOF
NFS_CORE_PARAM {
  Bind_addr = $bind;
  Protocols = 3;
  Mount_Path_Pseudo = true;
  NFS_Port = 2049;
  MNT_Port = 20048;
  Enable_NLM = false;          # the guest mounts with nolock
  Enable_UDP = false;          # Debian's kernel has no NFS over UDP
  Enable_RQUOTA = false;
  Plugins_Dir = "$plugins";
}
NFSV4 {
  Graceless = true;
  RecoveryRoot = "$work/recovery";
}
LOG {
  Default_Log_Level = EVENT;
}
EXPORT {
  Export_Id = 1;
  Path = "$dir";
  Pseudo = "$pseudo";
  Access_Type = RW;
  Squash = No_Root_Squash;
  SecType = sys;
  Protocols = 3;
  Transports = TCP;
  FSAL {
    Name = VFS;
  }
}
EOF

# Inside: $1 config, $2 log, $3 bind address.
inner='
set -eu
mount -t tmpfs -o mode=0755 tnlab-run /run
[ -L /var/run ] || mount -t tmpfs -o mode=0755 tnlab-run /var/run
[ -d /var/lib/nfs ] && mount -t tmpfs -o mode=0755 tnlab-nfs /var/lib/nfs
mkdir -p /run/ganesha
rpcbind -f &
i=0
until [ -S /run/rpcbind.sock ]; do
  i=$((i + 1)); [ $i -le 200 ] || { echo "ganesha: rpcbind did not start" >&2; exit 1; }
  sleep 0.05
done
ganesha.nfsd -F -f "$1" -L "$2" -p /run/ganesha/ganesha.pid &
i=0
until rpcinfo -p "$3" 2>/dev/null | grep -Eq "^ +100003 +3 +tcp" &&
      rpcinfo -p "$3" 2>/dev/null | grep -Eq "^ +100005 +3 +tcp"; do
  i=$((i + 1))
  [ $i -le 600 ] || { echo "ganesha: MOUNT/NFS v3 not registered within 60 s; log:" >&2; cat "$2" >&2; exit 1; }
  kill -0 $! 2>/dev/null || { echo "ganesha: ganesha.nfsd exited; log:" >&2; cat "$2" >&2; exit 1; }
  sleep 0.1
done
rpcinfo -p "$3"
echo "ganesha: ready"
wait
'
# unshare ignores SIGTERM while it waits for its child, and a PID namespace's init ignores signals
# it has no handler for: so this script stays the parent and ends it with SIGKILL (directly, and
# through setpriv's death signal if this script is killed outright).
ip netns exec "$ns" setpriv --pdeathsig KILL \
  unshare --mount --propagation private --pid --mount-proc --kill-child \
  sh -c "$inner" ganesha-ns "$work/ganesha.conf" "$work/ganesha.log" "$bind" &
child=$!
trap 'kill -KILL $child 2>/dev/null; exit 143' TERM HUP INT
wait $child
