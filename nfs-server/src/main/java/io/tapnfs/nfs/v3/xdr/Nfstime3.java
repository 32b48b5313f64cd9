package io.tapnfs.nfs.v3.xdr;

import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;

/** RFC 1813 §2.5 nfstime3: uint32 seconds and uint32 nseconds since 1970-01-01 UTC. */
public record Nfstime3(long seconds, long nseconds) {
  public static final int LEN = 8;

  /**
   * From nanoseconds since the epoch. nfstime3 cannot say before 1970 or after 2106: such times
   * are clamped to its range (Linux knfsd truncates to 32 bits instead; a clamp keeps order).
   */
  public static Nfstime3 ofNanos(long nanos) {
    long s = Math.floorDiv(nanos, 1_000_000_000L);
    long ns = Math.floorMod(nanos, 1_000_000_000L);
    if (s < 0) return new Nfstime3(0, 0);
    if (s > 0xffffffffL) return new Nfstime3(0xffffffffL, 999_999_999);
    return new Nfstime3(s, ns);
  }

  public static Nfstime3 decode(XdrDecodingStream in) throws IOException {
    return new Nfstime3(Xdr3.uint32(in), Xdr3.uint32(in));
  }

  /** Whether nseconds is below one second, as a time to set must be. */
  public boolean valid() { return nseconds < 1_000_000_000L; }

  public long toNanos() { return seconds * 1_000_000_000L + nseconds; }

  public void encode(XdrEncodingStream out) {
    out.xdrEncodeInt((int) seconds);
    out.xdrEncodeInt((int) nseconds);
  }
}
