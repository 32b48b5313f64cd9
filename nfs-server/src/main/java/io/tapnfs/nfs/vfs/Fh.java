package io.tapnfs.nfs.vfs;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A file handle as the protocol carries it: opaque bytes, at most {@value #MAX_LEN} (NFSv3's
 * limit, RFC 1813 §2.4 nfs_fh3). Only the {@link Vfs} that made it can read it.
 */
public final class Fh {
  public static final int MAX_LEN = 64;
  private final byte[] bytes;

  public Fh(byte[] bytes) {
    if (bytes.length == 0 || bytes.length > MAX_LEN) throw new IllegalArgumentException("file handle of " + bytes.length + " bytes");
    this.bytes = bytes.clone();
  }

  public byte[] bytes() { return bytes.clone(); }

  public int length() { return bytes.length; }

  @Override public boolean equals(Object o) { return o instanceof Fh f && Arrays.equals(bytes, f.bytes); }

  @Override public int hashCode() { return Arrays.hashCode(bytes); }

  @Override public String toString() { return HexFormat.of().formatHex(bytes); }
}
