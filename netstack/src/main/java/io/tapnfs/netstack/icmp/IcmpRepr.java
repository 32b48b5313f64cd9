package io.tapnfs.netstack.icmp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;

/**
 * A parsed ICMP message: type, code, the 4-byte "rest of header" (echo id/sequence, next-hop
 * MTU, gateway address...) and the data. {@code data} is a view, valid while the frame is.
 */
public record IcmpRepr(int type, int code, int rest, ByteBuffer data) {

  public static IcmpRepr parse(IcmpHeader h, boolean verifyChecksum) throws Malformed {
    if (verifyChecksum && !h.checksumValid()) throw Malformed.of(DropReason.ICMP_BAD_CHECKSUM);
    return new IcmpRepr(h.type(), h.code(), h.rest(), h.data());
  }

  public static IcmpRepr echoReply(int idAndSeq, ByteBuffer data) {
    return new IcmpRepr(IcmpType.ECHO_REPLY, 0, idAndSeq, data);
  }

  public static IcmpRepr echoRequest(int id, int seq, ByteBuffer data) {
    return new IcmpRepr(IcmpType.ECHO_REQUEST, 0, (id & 0xffff) << 16 | (seq & 0xffff), data);
  }

  public int echoId() { return rest >>> 16; }
  public int echoSeq() { return rest & 0xffff; }
  /** RFC 1191 §4: next-hop MTU in the low 16 bits of a Fragmentation Needed message. */
  public int nextHopMtu() { return rest & 0xffff; }

  public int bufferLen() { return IcmpHeader.LENGTH + data.remaining(); }

  /** Writes the message into exactly {@link #bufferLen()} bytes and fills the checksum. */
  public void emit(IcmpHeader h, ByteBuffer into) {
    h.set(type, code, rest);
    into.put(into.position() + IcmpHeader.LENGTH, data, data.position(), data.remaining());
    h.fillChecksum();
  }
}
