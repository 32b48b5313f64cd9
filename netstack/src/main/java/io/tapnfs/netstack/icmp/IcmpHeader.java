package io.tapnfs.netstack.icmp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.ipv4.Checksum;
import java.nio.ByteBuffer;

/**
 * ICMP message view (RFC 792).
 * <pre>
 * |     Type      |     Code      |          Checksum             |
 * |                     rest of header (4 bytes)                  |
 * |                     data ...
 * </pre>
 * The view spans the whole message, {@code position..limit} at construction.
 */
public final class IcmpHeader {
  public static final int TYPE = 0, CODE = 1, CHECKSUM = 2, REST = 4, LENGTH = 8;

  private final ByteBuffer b;
  private final int o;
  private final int len;

  private IcmpHeader(ByteBuffer b) { this.b = b; this.o = b.position(); this.len = b.remaining(); }

  public static IcmpHeader unchecked(ByteBuffer b) { return new IcmpHeader(b); }

  public static IcmpHeader checked(ByteBuffer b) throws Malformed {
    if (b.remaining() < LENGTH) throw Malformed.of(DropReason.ICMP_TRUNCATED);
    return new IcmpHeader(b);
  }

  public int type() { return b.get(o + TYPE) & 0xff; }
  public int code() { return b.get(o + CODE) & 0xff; }
  public int checksum() { return b.getShort(o + CHECKSUM) & 0xffff; }
  public int rest() { return b.getInt(o + REST); }
  public int messageLen() { return len; }

  public boolean checksumValid() { return Checksum.of(b, o, len) == 0; }

  public ByteBuffer data() { return b.duplicate().position(o + LENGTH).limit(o + len).slice(); }

  void set(int type, int code, int rest) {
    b.put(o + TYPE, (byte) type);
    b.put(o + CODE, (byte) code);
    b.putShort(o + CHECKSUM, (short) 0);
    b.putInt(o + REST, rest);
  }

  void fillChecksum() { b.putShort(o + CHECKSUM, (short) Checksum.of(b, o, len)); }
}
