package io.tapnfs.nfs.vfs;

import java.io.IOException;

/** A file system operation failed with {@link #errno()}; the message says what and why. */
public final class VfsException extends IOException {
  private static final long serialVersionUID = 1L;
  private final Errno errno;

  public VfsException(Errno errno, String message) {
    super(errno + ": " + message);
    this.errno = errno;
  }

  public VfsException(Errno errno, String message, Throwable cause) {
    super(errno + ": " + message, cause);
    this.errno = errno;
  }

  public Errno errno() { return errno; }
}
