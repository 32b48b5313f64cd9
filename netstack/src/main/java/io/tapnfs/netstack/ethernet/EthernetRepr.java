package io.tapnfs.netstack.ethernet;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;

/** A parsed Ethernet II header. */
public record EthernetRepr(MacAddress src, MacAddress dst, int etherType) {
  /** Meaning checks: a source address must be unicast (IEEE 802.3 §3.2.3.b). */
  public static EthernetRepr parse(EthernetHeader h) throws Malformed {
    MacAddress src = h.src();
    if (src.isMulticast() || src.bits() == 0) throw Malformed.of(DropReason.ETH_BAD_SOURCE);
    return new EthernetRepr(src, h.dst(), h.etherType());
  }

  public int bufferLen() { return EthernetHeader.LENGTH; }

  public void emit(EthernetHeader h) {
    h.setDst(dst);
    h.setSrc(src);
    h.setEtherType(etherType);
  }
}
