package io.tapnfs.nfs.mount;

/**
 * MOUNT counters, read through {@link MountProgram#counters()} in camelCase ({@code MNT_ACCES} is
 * "mntAcces"). Monotonic from construction.
 */
public enum MountStat {
  /** Every call handed to {@link MountProgram#dispatchOncRpcCall}. */
  CALLS,
  /** Per procedure, all versions: calls received (EXPORT counts v1/v2 EXPORTALL too). */
  NULL_CALLS, MNT_CALLS, DUMP_CALLS, UMNT_CALLS, UMNTALL_CALLS, EXPORT_CALLS,
  /** MNT answers, by status. */
  MNT_OK, MNT_NOENT, MNT_ACCES, MNT_NAMETOOLONG, MNT_NOTDIR, MNT_OTHER_ERROR,
  /** MNT refused (MNT3ERR_ACCES, also counted there) because a secure export saw a source port of 1024 or above. */
  MNT_INSECURE_PORT,
  /** MNT over MOUNT v1/v2 that would have succeeded, refused: we serve no NFSv2. */
  MNT_V1_REFUSED,
  /** UMNT of a (client, path) not in the mount list (answered void, as RFC 1813 has no error). */
  UMNT_NOT_MOUNTED,
  /** UMNT the export's rules refuse (as mountd's auth_authenticate): the entry stays, void answered. */
  UMNT_REFUSED,
  /** Mount list entries dropped, oldest first, to keep within the list's cap. */
  MOUNTS_DROPPED,
  /** Arguments that did not decode (GARBAGE_ARGS sent). */
  GARBAGE_ARGS,
  /** Procedure numbers the version does not have (PROC_UNAVAIL sent). */
  PROC_UNAVAIL,
  /** Versions other than 1..3 (PROG_MISMATCH sent), or another program (PROG_UNAVAIL). */
  PROG_MISMATCH, PROG_UNAVAIL
}
