package io.tapnfs.nfs.vfs;

/**
 * What SETATTR (or a create) changes (RFC 1813 §2.5 sattr3): null leaves an attribute alone.
 * {@code atimeNanos}/{@code mtimeNanos}: a time, or {@link #SERVER_TIME} for "set to the server's
 * current time".
 */
public record SetAttr(Integer mode, Integer uid, Integer gid, Long size, Long atimeNanos, Long mtimeNanos) {
  public static final long SERVER_TIME = Long.MIN_VALUE;
  public static final SetAttr NONE = new SetAttr(null, null, null, null, null, null);

  public boolean isEmpty() {
    return mode == null && uid == null && gid == null && size == null && atimeNanos == null && mtimeNanos == null;
  }
}
