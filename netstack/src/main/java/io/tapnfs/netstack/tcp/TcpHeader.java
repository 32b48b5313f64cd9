package io.tapnfs.netstack.tcp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;

/**
 * TCP header view, RFC 9293 §3.1.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * |           Checksum            |         Urgent Pointer        |
 * |                           [Options]                           |
 * |                             Data                            ...
 * </pre>
 * TCP has no length field: the segment is everything from the position to the limit at
 * construction (the IP payload, already cut to the IP total length). Absolute reads only; never
 * moves the position. After {@link #checked} no accessor can read past the segment.
 */
public final class TcpHeader {
  public static final int SRC_PORT = 0, DST_PORT = 2, SEQ = 4, ACK = 8, DATA_OFFSET = 12, FLAGS = 13,
      WINDOW = 14, CHECKSUM = 16, URGENT = 18, MIN_LEN = 20, MAX_LEN = 60;

  private final ByteBuffer b;
  private final int o;
  private final int len;

  private TcpHeader(ByteBuffer b) { this.b = b; this.o = b.position(); this.len = b.remaining(); }

  /** For emit: no checks; the caller provides {@link TcpRepr#bufferLen()} bytes. */
  public static TcpHeader unchecked(ByteBuffer b) { return new TcpHeader(b); }

  /** Length checks: a whole fixed header, and a data offset covering it and within the segment. */
  public static TcpHeader checked(ByteBuffer b) throws Malformed {
    if (b.remaining() < MIN_LEN) throw Malformed.of(DropReason.TCP_TRUNCATED);
    TcpHeader h = new TcpHeader(b);
    int off = h.dataOffset();
    if (off < MIN_LEN || off > h.len) throw Malformed.of(DropReason.TCP_BAD_DATA_OFFSET);
    return h;
  }

  public int srcPort() { return b.getShort(o + SRC_PORT) & 0xffff; }
  public int dstPort() { return b.getShort(o + DST_PORT) & 0xffff; }
  public SeqNumber seq() { return new SeqNumber(b.getInt(o + SEQ)); }
  public SeqNumber ack() { return new SeqNumber(b.getInt(o + ACK)); }
  /** Header length in bytes, options included (the field counts 32-bit words). */
  public int dataOffset() { return ((b.get(o + DATA_OFFSET) & 0xff) >>> 4) * 4; }
  /** The eight flag bits, {@link TcpRepr#FIN} to {@link TcpRepr#CWR}. */
  public int flags() { return b.get(o + FLAGS) & 0xff; }
  public int window() { return b.getShort(o + WINDOW) & 0xffff; }
  public int checksum() { return b.getShort(o + CHECKSUM) & 0xffff; }
  public int urgentPointer() { return b.getShort(o + URGENT) & 0xffff; }

  /** Header plus payload: the segment length the pseudo-header counts (RFC 9293 §3.1 "TCP Length"). */
  public int length() { return len; }

  /** The options bytes as a new view (empty without options). */
  public ByteBuffer options() { return b.duplicate().limit(o + dataOffset()).position(o + MIN_LEN).slice(); }

  /** The data after the header, as a new view. */
  public ByteBuffer payload() { return b.duplicate().limit(o + len).position(o + dataOffset()).slice(); }

  ByteBuffer buffer() { return b; }
  int offset() { return o; }

  void setSrcPort(int p) { b.putShort(o + SRC_PORT, (short) p); }
  void setDstPort(int p) { b.putShort(o + DST_PORT, (short) p); }
  void setSeq(SeqNumber s) { b.putInt(o + SEQ, s.value()); }
  void setAck(SeqNumber a) { b.putInt(o + ACK, a.value()); }
  /** Also clears the reserved bits. */
  void setDataOffset(int headerLen) { b.put(o + DATA_OFFSET, (byte) ((headerLen / 4) << 4)); }
  void setFlags(int flags) { b.put(o + FLAGS, (byte) flags); }
  void setWindow(int w) { b.putShort(o + WINDOW, (short) w); }
  void setChecksum(int c) { b.putShort(o + CHECKSUM, (short) c); }
  void setUrgentPointer(int u) { b.putShort(o + URGENT, (short) u); }
}
