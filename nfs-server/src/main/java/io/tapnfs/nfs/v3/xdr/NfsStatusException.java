package io.tapnfs.nfs.v3.xdr;

/**
 * A procedure fails with {@link #status()} for a reason the protocol layer finds itself (a bad
 * handle, an export that refuses the client, a read-only export, a name too long, a ctime guard
 * that does not match). Failures of the file system come as {@code VfsException}. No stack trace:
 * these are answers, not faults.
 */
public final class NfsStatusException extends Exception {
  private static final long serialVersionUID = 1L;
  private final Nfsstat3 status;

  public NfsStatusException(Nfsstat3 status, String message) {
    super(status + ": " + message, null, false, false);
    if (status == Nfsstat3.OK) throw new IllegalArgumentException("OK is not a failure");
    this.status = status;
  }

  public Nfsstat3 status() { return status; }
}
