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
   * Whether the server keeps the reply in its duplicate-request cache, so that a retransmission is
   * answered from it instead of running again: the procedures that are not idempotent, as knfsd's
   * {@code nfsd_procedures3} (RC_REPLBUFF). A REMOVE run twice answers NOENT to a call that
   * succeeded; a RENAME run twice can replace a file created since. WRITE too: by itself it
   * writes the same bytes again, but a retransmission that arrives after a later WRITE or a
   * truncating SETATTR of the same range would undo them; its reply is small (wcc data, count,
   * verifier), though a write-heavy client makes the cache's entries turn over faster. Not
   * COMMIT, which is idempotent (knfsd: RC_NOCACHE).
   */
  public boolean cachesReply() {
    return switch (this) {
      case SETATTR, WRITE, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, RENAME, LINK -> true;
      default -> false;
    };
  }

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
