package io.tapnfs.netstack.udp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.ipv4.Checksum;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;

/** A parsed UDP header (RFC 768). */
public record UdpRepr(int srcPort, int dstPort, int payloadLen) {
  public static final int MAX_PAYLOAD = 65535 - 20 - UdpHeader.LENGTH;

  /**
   * Checks the checksum when present: RFC 768, "an all zero transmitted checksum value means that
   * the transmitter generated no checksum"; RFC 1122 §4.1.3.4 says a host MUST then accept it.
   */
  public static UdpRepr parse(UdpHeader h, Ipv4Address src, Ipv4Address dst, boolean verifyChecksum) throws Malformed {
    if (verifyChecksum && h.checksum() != 0) {
      long sum = Checksum.pseudoHeader(src, dst, IpProtocol.UDP, h.length());
      if (Checksum.finish(Checksum.sum(h.buffer(), h.offset(), h.length(), sum)) != 0)
        throw Malformed.of(DropReason.UDP_BAD_CHECKSUM);
    }
    if (h.dstPort() == 0) throw Malformed.of(DropReason.UDP_NO_PORT);
    return new UdpRepr(h.srcPort(), h.dstPort(), h.length() - UdpHeader.LENGTH);
  }

  public int bufferLen() { return UdpHeader.LENGTH + payloadLen; }

  /**
   * Writes the header over a buffer whose payload is already in place after it, then the checksum.
   * RFC 768: a computed checksum of zero is sent as all ones.
   */
  public void emit(UdpHeader h, Ipv4Address src, Ipv4Address dst) {
    int len = bufferLen();
    h.set(srcPort, dstPort, len);
    long sum = Checksum.pseudoHeader(src, dst, IpProtocol.UDP, len);
    int c = Checksum.finish(Checksum.sum(h.buffer(), h.offset(), len, sum));
    h.setChecksum(c == 0 ? 0xffff : c);
  }

  /** Builds a whole UDP datagram (header + copy of payload) into a new heap buffer. */
  public static ByteBuffer build(Ipv4Address src, int srcPort, Ipv4Address dst, int dstPort, ByteBuffer payload) {
    ByteBuffer out = ByteBuffer.allocate(UdpHeader.LENGTH + payload.remaining());
    out.put(UdpHeader.LENGTH, payload, payload.position(), payload.remaining());
    new UdpRepr(srcPort, dstPort, payload.remaining()).emit(UdpHeader.unchecked(out), src, dst);
    return out;
  }
}
