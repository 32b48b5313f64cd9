package io.tapnfs.netstack.ethernet;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;

/**
 * Ethernet II header view (IEEE 802.3 §3.1.1, without preamble and FCS, as a TAP delivers it).
 * <pre>
 *  0                   6                   12      14
 * +-------------------+-------------------+-------+----------
 * | destination MAC   | source MAC        | type  | payload
 * +-------------------+-------------------+-------+----------
 * </pre>
 * Absolute reads relative to the buffer's position at construction; never moves the position.
 */
public final class EthernetHeader {
  public static final int DST = 0, SRC = 6, ETHERTYPE = 12, LENGTH = 14;

  private final ByteBuffer b;
  private final int o;

  private EthernetHeader(ByteBuffer b) { this.b = b; this.o = b.position(); }

  /** For emit: the caller guarantees {@link #LENGTH} bytes. */
  public static EthernetHeader unchecked(ByteBuffer b) { return new EthernetHeader(b); }

  /** For input: checks the buffer holds a whole header. */
  public static EthernetHeader checked(ByteBuffer b) throws Malformed {
    if (b.remaining() < LENGTH) throw Malformed.of(DropReason.ETH_TRUNCATED);
    return new EthernetHeader(b);
  }

  public MacAddress dst() { return MacAddress.read(b, o + DST); }
  public MacAddress src() { return MacAddress.read(b, o + SRC); }
  public int etherType() { return b.getShort(o + ETHERTYPE) & 0xffff; }

  public void setDst(MacAddress m) { m.write(b, o + DST); }
  public void setSrc(MacAddress m) { m.write(b, o + SRC); }
  public void setEtherType(int t) { b.putShort(o + ETHERTYPE, (short) t); }

  /** The payload as a new view: position 0 at the first byte after the header, up to the frame's limit. */
  public ByteBuffer payload() { return b.duplicate().position(o + LENGTH).slice(); }
}
