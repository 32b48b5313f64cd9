package io.tapnfs.netstack.tcp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.ipv4.Checksum;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A parsed TCP header (RFC 9293 §3.1). We send no urgent data (RFC 6093 §6: new applications
 * SHOULD NOT use it): the urgent pointer is ignored on input and sent as zero.
 *
 * @param seq     SEG.SEQ
 * @param ack     SEG.ACK, meaningful only when {@link #ACK} is set
 * @param flags   the eight flag bits, {@link #FIN} to {@link #CWR}
 * @param window  the raw 16-bit window field, not scaled
 */
public record TcpRepr(int srcPort, int dstPort, SeqNumber seq, SeqNumber ack, int flags, int window,
                      TcpOptions options, int payloadLen) {
  public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20,
      ECE = 0x40, CWR = 0x80;
  private static final int[] FLAG_BITS = {SYN, FIN, RST, PSH, ACK, URG, ECE, CWR};
  private static final String[] FLAG_NAMES = {"SYN", "FIN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

  public TcpRepr {
    Objects.requireNonNull(seq, "seq");
    Objects.requireNonNull(ack, "ack");
    Objects.requireNonNull(options, "options");
    if (payloadLen < 0) throw new IllegalArgumentException("payloadLen " + payloadLen);
  }

  /**
   * Meaning checks on a length-checked header, in order: checksum, ports, flags, options.
   * <ul>
   * <li>The checksum covers the pseudo-header (RFC 9293 §3.1, "TCP Length" is header plus data);
   *   unlike UDP there is no "no checksum" value (MUST-2, MUST-3).
   * <li>Port 0 is reserved (IANA) and never a valid endpoint, as source or destination.
   * <li>SYN with FIN or RST is contradictory. A segment with none of SYN, RST and ACK is
   *   dropped in every state that has a connection or listener (RFC 9293 §3.10.7.2 "fourth",
   *   §3.10.7.3 "fifth", §3.10.7.4 "fifth, if the ACK bit is off"); we drop it here, before the
   *   lookup, so a closed port does not answer it with a RST either (Linux would: its
   *   {@code tcp_v4_send_reset} skips only RSTs; we treat the segment as malformed, not a probe).
   * </ul>
   */
  public static TcpRepr parse(TcpHeader h, Ipv4Address src, Ipv4Address dst, boolean verifyChecksum) throws Malformed {
    if (verifyChecksum) {
      long sum = Checksum.pseudoHeader(src, dst, IpProtocol.TCP, h.length());
      if (Checksum.finish(Checksum.sum(h.buffer(), h.offset(), h.length(), sum)) != 0)
        throw Malformed.of(DropReason.TCP_BAD_CHECKSUM);
    }
    if (h.srcPort() == 0 || h.dstPort() == 0) throw Malformed.of(DropReason.TCP_BAD_PORT);
    int flags = h.flags();
    if (!flagsValid(flags)) throw Malformed.of(DropReason.TCP_BAD_FLAGS);
    TcpOptions options = h.dataOffset() > TcpHeader.MIN_LEN ? TcpOptions.parse(h.options()) : TcpOptions.NONE;
    return new TcpRepr(h.srcPort(), h.dstPort(), h.seq(), h.ack(), flags, h.window(), options,
        h.length() - h.dataOffset());
  }

  /** See {@link #parse}: no SYN with FIN or RST, and at least one of SYN, RST, ACK. */
  public static boolean flagsValid(int flags) {
    if ((flags & SYN) != 0 && (flags & (FIN | RST)) != 0) return false;
    return (flags & (SYN | RST | ACK)) != 0;
  }

  /** Whether all the given flag bits are set. */
  public boolean has(int flag) { return (flags & flag) == flag; }

  /** Fixed header plus options: what the data offset field says. */
  public int headerLen() { return TcpHeader.MIN_LEN + options.bufferLen(); }

  /** Header, options and payload. */
  public int bufferLen() { return headerLen() + payloadLen; }

  /** SEG.LEN (RFC 9293 §3.4): the payload plus one for SYN and one for FIN. */
  public int segmentLen() {
    return payloadLen + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
  }

  /**
   * Writes every field and the options over a buffer whose payload is already in place after
   * {@link #headerLen()} bytes, then the checksum over {@link #bufferLen()} bytes.
   */
  public void emit(TcpHeader h, Ipv4Address src, Ipv4Address dst) { emit(h, src, dst, false); }

  private void emit(TcpHeader h, Ipv4Address src, Ipv4Address dst, boolean partialChecksum) {
    int hl = headerLen(), len = bufferLen();
    h.setSrcPort(srcPort);
    h.setDstPort(dstPort);
    h.setSeq(seq);
    h.setAck(ack);
    h.setDataOffset(hl);
    h.setFlags(flags);
    h.setWindow(window);
    h.setChecksum(0);
    h.setUrgentPointer(0);
    options.emit(h.buffer(), h.offset() + TcpHeader.MIN_LEN);
    long sum = Checksum.pseudoHeader(src, dst, IpProtocol.TCP, len);
    if (partialChecksum) h.setChecksum(~Checksum.finish(sum) & 0xffff);
    else h.setChecksum(Checksum.finish(Checksum.sum(h.buffer(), h.offset(), len, sum)));
  }

  /**
   * Builds a whole segment (header, options, copy of the payload) into a new heap buffer. The
   * payload's position is not moved; {@code null} means none.
   */
  public static ByteBuffer build(Ipv4Address src, Ipv4Address dst, TcpRepr r, ByteBuffer payload) {
    return build(src, dst, r, payload, false);
  }

  /**
   * {@link #build}; with {@code partialChecksum} the checksum field holds only the folded
   * pseudo-header sum over the whole segment's length, not complemented: what a link that cuts
   * the segment (segmentation offload, Linux {@code CHECKSUM_PARTIAL}) completes per piece.
   */
  public static ByteBuffer build(Ipv4Address src, Ipv4Address dst, TcpRepr r, ByteBuffer payload, boolean partialChecksum) {
    int n = payload == null ? 0 : payload.remaining();
    if (n != r.payloadLen)
      throw new IllegalArgumentException("payload of " + n + " bytes for payloadLen " + r.payloadLen);
    ByteBuffer out = ByteBuffer.allocate(r.bufferLen());
    if (n > 0) out.put(r.headerLen(), payload, payload.position(), n);
    r.emit(TcpHeader.unchecked(out), src, dst, partialChecksum);
    return out;
  }

  /** Flag names for logs, e.g. {@code "SYN,ACK"}; {@code "none"} for no flags. */
  public static String flagsToString(int flags) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < FLAG_BITS.length; i++) {
      if ((flags & FLAG_BITS[i]) == 0) continue;
      if (s.length() > 0) s.append(',');
      s.append(FLAG_NAMES[i]);
    }
    return s.length() == 0 ? "none" : s.toString();
  }

  @Override public String toString() {
    return "TcpRepr[" + srcPort + ">" + dstPort + " " + flagsToString(flags) + " seq=" + seq
        + ((flags & ACK) != 0 ? " ack=" + ack : "") + " win=" + window + " len=" + payloadLen
        + (options.equals(TcpOptions.NONE) ? "" : " " + options) + "]";
  }
}
