package io.tapnfs.nfs.v3;

/** The procedures of NFS version 3, RFC 1813 §3.2, by number. */
public enum Nfs3Procedure {
  NULL, GETATTR, SETATTR, LOOKUP, ACCESS, READLINK, READ, WRITE, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE,
  RMDIR, RENAME, LINK, READDIR, READDIRPLUS, FSSTAT, FSINFO, PATHCONF, COMMIT;

  private static final Nfs3Procedure[] BY_NUMBER = values();

  public int number() { return ordinal(); }

  /** The procedure numbered {@code n}, or null. */
  public static Nfs3Procedure of(int n) { return n >= 0 && n < BY_NUMBER.length ? BY_NUMBER[n] : null; }

  /**
   * Whether the procedure needs a writable export: refused with NFS3ERR_ROFS on a read-only one
   * (COMMIT too, as knfsd).
   */
  public boolean modifies() {
    return switch (this) {
      case SETATTR, WRITE, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, RENAME, LINK, COMMIT -> true;
      default -> false;
    };
  }
}
