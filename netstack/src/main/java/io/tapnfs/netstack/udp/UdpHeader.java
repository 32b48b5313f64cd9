package io.tapnfs.netstack.udp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;

/**
 * UDP header view (RFC 768).
 * <pre>
 * |          Source Port          |       Destination Port        |
 * |            Length             |           Checksum            |
 * </pre>
 */
public final class UdpHeader {
  public static final int SRC_PORT = 0, DST_PORT = 2, LENGTH_FIELD = 4, CHECKSUM = 6, LENGTH = 8;

  private final ByteBuffer b;
  private final int o;

  private UdpHeader(ByteBuffer b) { this.b = b; this.o = b.position(); }

  public static UdpHeader unchecked(ByteBuffer b) { return new UdpHeader(b); }

  /** The length field must cover the header and fit in what IP delivered (RFC 768 "Length"). */
  public static UdpHeader checked(ByteBuffer b) throws Malformed {
    if (b.remaining() < LENGTH) throw Malformed.of(DropReason.UDP_TRUNCATED);
    UdpHeader h = new UdpHeader(b);
    int len = h.length();
    if (len < LENGTH || len > b.remaining()) throw Malformed.of(DropReason.UDP_BAD_LENGTH);
    return h;
  }

  public int srcPort() { return b.getShort(o + SRC_PORT) & 0xffff; }
  public int dstPort() { return b.getShort(o + DST_PORT) & 0xffff; }
  public int length() { return b.getShort(o + LENGTH_FIELD) & 0xffff; }
  public int checksum() { return b.getShort(o + CHECKSUM) & 0xffff; }

  public ByteBuffer payload() { return b.duplicate().position(o + LENGTH).limit(o + length()).slice(); }

  ByteBuffer buffer() { return b; }
  int offset() { return o; }

  void set(int srcPort, int dstPort, int length) {
    b.putShort(o + SRC_PORT, (short) srcPort);
    b.putShort(o + DST_PORT, (short) dstPort);
    b.putShort(o + LENGTH_FIELD, (short) length);
    b.putShort(o + CHECKSUM, (short) 0);
  }

  void setChecksum(int c) { b.putShort(o + CHECKSUM, (short) c); }
}
