package io.tapnfs.nfs.mount;

import io.tapnfs.nfs.vfs.Errno;

/** mountstat3, RFC 1813 Appendix I (the values are errno numbers, as MOUNT v1's fhs_status). */
public enum Mountstat3 {
  MNT3_OK(0), MNT3ERR_PERM(1), MNT3ERR_NOENT(2), MNT3ERR_IO(5), MNT3ERR_ACCES(13), MNT3ERR_NOTDIR(20),
  MNT3ERR_INVAL(22), MNT3ERR_NAMETOOLONG(63), MNT3ERR_NOTSUPP(10004), MNT3ERR_SERVERFAULT(10006);

  private final int code;

  Mountstat3(int code) { this.code = code; }

  public int code() { return code; }

  /** The status with this code, or null. */
  public static Mountstat3 of(int code) {
    for (Mountstat3 s : values()) if (s.code == code) return s;
    return null;
  }

  /** What MNT answers when a Vfs call while resolving the path failed with {@code e}. */
  static Mountstat3 of(Errno e) {
    return switch (e) {
      case PERM -> MNT3ERR_PERM;
      case NOENT, STALE, BADHANDLE -> MNT3ERR_NOENT;   // the export's root went away
      case ACCES -> MNT3ERR_ACCES;
      case NOTDIR -> MNT3ERR_NOTDIR;
      case INVAL -> MNT3ERR_INVAL;
      case NAMETOOLONG -> MNT3ERR_NAMETOOLONG;
      case NOTSUPP -> MNT3ERR_NOTSUPP;
      case IO, NXIO -> MNT3ERR_IO;
      default -> MNT3ERR_SERVERFAULT;
    };
  }
}
