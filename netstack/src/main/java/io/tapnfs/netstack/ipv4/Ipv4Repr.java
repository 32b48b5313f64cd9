package io.tapnfs.netstack.ipv4;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;

/**
 * A parsed IPv4 header. Options are walked and summarised but not kept; we emit no options.
 * {@code fragOffset} is in bytes.
 */
public record Ipv4Repr(Ipv4Address src, Ipv4Address dst, int protocol, int payloadLen, int ttl,
                       int ident, boolean dontFragment, boolean moreFragments, int fragOffset,
                       int tos, boolean sourceRouted) {

  /** A fresh, unfragmented datagram to send. */
  public static Ipv4Repr of(Ipv4Address src, Ipv4Address dst, int protocol, int payloadLen, int ttl,
                            int ident, boolean dontFragment) {
    return new Ipv4Repr(src, dst, protocol, payloadLen, ttl, ident, dontFragment, false, 0, 0, false);
  }

  /** Meaning checks on a length-checked header: checksum, options. */
  public static Ipv4Repr parse(Ipv4Header h, boolean verifyChecksum) throws Malformed {
    if (verifyChecksum && !h.checksumValid()) throw Malformed.of(DropReason.IPV4_BAD_CHECKSUM);
    boolean sr = h.headerLen() > Ipv4Header.MIN_LEN && Ipv4Options.walk(h.options()).sourceRouted();
    return new Ipv4Repr(h.src(), h.dst(), h.protocol(), h.totalLen() - h.headerLen(), h.ttl(),
        h.ident(), h.dontFragment(), h.moreFragments(), h.fragOffset(), h.tos(), sr);
  }

  public boolean isFragment() { return moreFragments || fragOffset != 0; }

  public int bufferLen() { return Ipv4Header.MIN_LEN; }

  public int totalLen() { return Ipv4Header.MIN_LEN + payloadLen; }

  /** Writes every field and then the checksum; needs {@link #bufferLen()} bytes. */
  public void emit(Ipv4Header h) {
    h.setVersionAndHeaderLen(Ipv4Header.MIN_LEN);
    h.setTos(tos);
    h.setTotalLen(totalLen());
    h.setIdent(ident);
    h.setFlagsAndOffset(dontFragment, moreFragments, fragOffset);
    h.setTtl(ttl);
    h.setProtocol(protocol);
    h.setSrc(src);
    h.setDst(dst);
    h.fillChecksum();
  }

  public Ipv4Repr withFragment(int offsetBytes, int len, boolean more) {
    return new Ipv4Repr(src, dst, protocol, len, ttl, ident, dontFragment, more, offsetBytes, tos, false);
  }
}
