package io.tapnfs.netstack.ipv4;

import java.nio.ByteBuffer;

/** The Internet checksum (RFC 1071): one's-complement sum of 16-bit words. */
public final class Checksum {
  private Checksum() {}

  /** Adds bytes {@code [offset, offset+len)} of {@code b} to a running 32-bit sum. Absolute reads. */
  public static long sum(ByteBuffer b, int offset, int len, long acc) {
    int i = offset, end = offset + len;
    while (end - i >= 8) { acc += b.getInt(i) & 0xffffffffL; acc += b.getInt(i + 4) & 0xffffffffL; i += 8; }
    while (end - i >= 2) { acc += b.getShort(i) & 0xffff; i += 2; }
    if (i < end) acc += (b.get(i) & 0xff) << 8;
    return acc;
  }

  /** Folds a running sum to 16 bits and complements it. */
  public static int finish(long acc) {
    while ((acc >>> 16) != 0) acc = (acc & 0xffff) + (acc >>> 16);
    return (int) (~acc & 0xffff);
  }

  public static int of(ByteBuffer b, int offset, int len) { return finish(sum(b, offset, len, 0)); }

  /** The pseudo-header sum for TCP/UDP (RFC 768, RFC 9293 §3.1). */
  public static long pseudoHeader(Ipv4Address src, Ipv4Address dst, int protocol, int length) {
    return (src.bits() & 0xffffffffL) + (dst.bits() & 0xffffffffL) + protocol + length;
  }
}
