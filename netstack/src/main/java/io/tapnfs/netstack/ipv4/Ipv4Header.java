package io.tapnfs.netstack.ipv4;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;

/**
 * IPv4 header view, RFC 791 §3.1.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options                    |    Padding    |
 * </pre>
 * Absolute reads only, relative to the position at construction; never moves the position.
 * After {@link #checked} no accessor can read past the buffer.
 */
public final class Ipv4Header {
  public static final int VER_IHL = 0, TOS = 1, TOTAL_LEN = 2, IDENT = 4, FLAGS_FRAG = 6, TTL = 8,
      PROTO = 9, CHECKSUM = 10, SRC = 12, DST = 16, MIN_LEN = 20, MAX_LEN = 60;
  public static final int FLAG_DF = 0x4000, FLAG_MF = 0x2000, FRAG_OFFSET_MASK = 0x1fff;
  /** Largest total length the 16-bit field can carry. */
  public static final int MAX_TOTAL_LEN = 65535;

  private final ByteBuffer b;
  private final int o;

  private Ipv4Header(ByteBuffer b) { this.b = b; this.o = b.position(); }

  public static Ipv4Header unchecked(ByteBuffer b) { return new Ipv4Header(b); }

  /**
   * Length checks (RFC 1122 §3.2.1.1 and §3.2.1.2 list what a host must validate; the version and
   * checksum are meaning checks left to {@link Ipv4Repr#parse}).
   */
  public static Ipv4Header checked(ByteBuffer b) throws Malformed {
    int n = b.remaining();
    if (n < MIN_LEN) throw Malformed.of(DropReason.IPV4_TRUNCATED);
    Ipv4Header h = new Ipv4Header(b);
    if (h.version() != 4) throw Malformed.of(DropReason.IPV4_BAD_VERSION);
    if (h.headerLen() < MIN_LEN) throw Malformed.of(DropReason.IPV4_BAD_HEADER_LENGTH);
    if (h.totalLen() < h.headerLen() || h.totalLen() > n) throw Malformed.of(DropReason.IPV4_BAD_TOTAL_LENGTH);
    return h;
  }

  public int version() { return (b.get(o + VER_IHL) & 0xff) >>> 4; }
  public int headerLen() { return (b.get(o + VER_IHL) & 0x0f) * 4; }
  public int tos() { return b.get(o + TOS) & 0xff; }
  public int totalLen() { return b.getShort(o + TOTAL_LEN) & 0xffff; }
  public int ident() { return b.getShort(o + IDENT) & 0xffff; }
  public boolean dontFragment() { return (b.getShort(o + FLAGS_FRAG) & FLAG_DF) != 0; }
  public boolean moreFragments() { return (b.getShort(o + FLAGS_FRAG) & FLAG_MF) != 0; }
  /** Fragment offset in bytes (the field counts 8-byte units). */
  public int fragOffset() { return (b.getShort(o + FLAGS_FRAG) & FRAG_OFFSET_MASK) * 8; }
  public int ttl() { return b.get(o + TTL) & 0xff; }
  public int protocol() { return b.get(o + PROTO) & 0xff; }
  public int checksum() { return b.getShort(o + CHECKSUM) & 0xffff; }
  public Ipv4Address src() { return Ipv4Address.read(b, o + SRC); }
  public Ipv4Address dst() { return Ipv4Address.read(b, o + DST); }

  /** RFC 1071: the sum over the header including its checksum field is all ones. */
  public boolean checksumValid() { return Checksum.of(b, o, headerLen()) == 0; }

  public boolean isFragment() { return moreFragments() || fragOffset() != 0; }

  /** The options bytes as a new view (empty without options). */
  public ByteBuffer options() { return b.duplicate().position(o + MIN_LEN).limit(o + headerLen()).slice(); }

  /** The payload up to the total length, as a new view. Trailing Ethernet padding is cut off. */
  public ByteBuffer payload() { return b.duplicate().position(o + headerLen()).limit(o + totalLen()).slice(); }

  /** The whole datagram (header and payload, without link padding), as a new view. */
  public ByteBuffer datagram() { return b.duplicate().limit(o + totalLen()).slice(); }

  void setVersionAndHeaderLen(int headerLen) { b.put(o + VER_IHL, (byte) (0x40 | (headerLen / 4))); }
  void setTos(int tos) { b.put(o + TOS, (byte) tos); }
  void setTotalLen(int len) { b.putShort(o + TOTAL_LEN, (short) len); }
  void setIdent(int id) { b.putShort(o + IDENT, (short) id); }
  void setFlagsAndOffset(boolean df, boolean mf, int offsetBytes) {
    b.putShort(o + FLAGS_FRAG, (short) ((df ? FLAG_DF : 0) | (mf ? FLAG_MF : 0) | (offsetBytes / 8)));
  }
  void setTtl(int ttl) { b.put(o + TTL, (byte) ttl); }
  void setProtocol(int p) { b.put(o + PROTO, (byte) p); }
  void setSrc(Ipv4Address a) { a.write(b, o + SRC); }
  void setDst(Ipv4Address a) { a.write(b, o + DST); }

  void fillChecksum() {
    b.putShort(o + CHECKSUM, (short) 0);
    b.putShort(o + CHECKSUM, (short) Checksum.of(b, o, headerLen()));
  }
}
