package io.tapnfs.netstack.tcp;

import static io.tapnfs.netstack.tcp.TcpRepr.ACK;
import static io.tapnfs.netstack.tcp.TcpRepr.CWR;
import static io.tapnfs.netstack.tcp.TcpRepr.ECE;
import static io.tapnfs.netstack.tcp.TcpRepr.FIN;
import static io.tapnfs.netstack.tcp.TcpRepr.PSH;
import static io.tapnfs.netstack.tcp.TcpRepr.RST;
import static io.tapnfs.netstack.tcp.TcpRepr.SYN;
import static io.tapnfs.netstack.tcp.TcpRepr.URG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Frames;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.ipv4.Checksum;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.tcp.TcpOptions.SackBlock;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TcpWireTest {
  static final Ipv4Address SRC = Ipv4Address.parse("10.0.0.1"), DST = Ipv4Address.parse("10.0.0.2");

  // A Linux SYN, 10.0.0.1:40000 -> 10.0.0.2:2049: seq 0x1a2b3c4d, data offset 10, window 64240,
  // checksum 0x5c11; options MSS 1460, SACK_PERM, TS 123456/0, NOP, WS 7.
  static final String SYN_SEGMENT = "9c40 0801 1a2b3c4d 00000000 a002 faf0 5c11 0000"
      + "020405b4 0402080a 0001e240 00000000 01030307";
  // A data segment on the same connection: PSH,ACK, window 502, NOP NOP TS, payload "hello\n".
  static final String DATA_SEGMENT = "9c40 0801 1a2b3c4e 5e6f7081 8018 01f6 f6db 0000"
      + "0101080a 0001e2a4 9abcdef0 68656c6c6f0a";

  static TcpRepr parse(ByteBuffer b) throws Malformed { return TcpRepr.parse(TcpHeader.checked(b), SRC, DST, true); }

  /** The drop reason {@code c} throws, or null when it accepts. */
  static DropReason reason(ThrowingCallable c) {
    try {
      c.call();
      return null;
    } catch (Malformed m) {
      return m.reason();
    } catch (Throwable t) {
      throw new AssertionError("not a Malformed", t);
    }
  }

  /** Recomputes the checksum after a test has damaged some field other than it. */
  static ByteBuffer fixChecksum(ByteBuffer b) {
    b.putShort(TcpHeader.CHECKSUM, (short) 0);
    long sum = Checksum.pseudoHeader(SRC, DST, IpProtocol.TCP, b.remaining());
    b.putShort(TcpHeader.CHECKSUM, (short) Checksum.finish(Checksum.sum(b, 0, b.remaining(), sum)));
    return b;
  }

  /** An ACK segment from 40000 to 2049 carrying {@code opts} (whole words) and no data. */
  static ByteBuffer withOptions(String opts) {
    ByteBuffer o = Frames.hex(opts);
    int hl = TcpHeader.MIN_LEN + o.remaining();
    ByteBuffer b = ByteBuffer.allocate(hl);
    b.put(Frames.hex(DATA_SEGMENT).limit(TcpHeader.MIN_LEN));
    b.put(o);
    b.clear();
    b.put(TcpHeader.DATA_OFFSET, (byte) (hl / 4 << 4));
    return fixChecksum(b);
  }

  // ------------------------------------------------------------------------- deconstruct

  @Test void deconstructLinuxSyn() throws Malformed {
    ByteBuffer b = Frames.hex(SYN_SEGMENT);
    TcpHeader h = TcpHeader.checked(b);
    assertThat(h.srcPort()).isEqualTo(40000);
    assertThat(h.dstPort()).isEqualTo(2049);
    assertThat(h.seq()).isEqualTo(SeqNumber.of(0x1a2b3c4dL));
    assertThat(h.ack()).isEqualTo(SeqNumber.ZERO);
    assertThat(h.dataOffset()).isEqualTo(40);
    assertThat(h.flags()).isEqualTo(SYN);
    assertThat(h.window()).isEqualTo(64240);
    assertThat(h.checksum()).isEqualTo(0x5c11);
    assertThat(h.urgentPointer()).isZero();
    assertThat(h.length()).isEqualTo(40);
    assertThat(h.options().remaining()).isEqualTo(20);
    assertThat(h.payload().remaining()).isZero();
    assertThat(b.position()).isZero();

    TcpRepr r = TcpRepr.parse(h, SRC, DST, true);
    assertThat(r.srcPort()).isEqualTo(40000);
    assertThat(r.dstPort()).isEqualTo(2049);
    assertThat(r.seq()).isEqualTo(SeqNumber.of(0x1a2b3c4dL));
    assertThat(r.flags()).isEqualTo(SYN);
    assertThat(r.window()).isEqualTo(64240);
    assertThat(r.payloadLen()).isZero();
    assertThat(r.segmentLen()).isEqualTo(1);
    assertThat(r.headerLen()).isEqualTo(40);
    assertThat(r.options()).isEqualTo(new TcpOptions(1460, 7, false, true, List.of(), true, 123456, 0));
    assertThat(TcpRepr.flagsToString(r.flags())).isEqualTo("SYN");
  }

  @Test void deconstructDataSegment() throws Malformed {
    ByteBuffer b = Frames.hex(DATA_SEGMENT);
    TcpHeader h = TcpHeader.checked(b);
    TcpRepr r = TcpRepr.parse(h, SRC, DST, true);
    assertThat(r.ack()).isEqualTo(SeqNumber.of(0x5e6f7081L));
    assertThat(r.flags()).isEqualTo(PSH | ACK);
    assertThat(r.has(ACK)).isTrue();
    assertThat(r.has(PSH | ACK)).isTrue();
    assertThat(r.has(SYN)).isFalse();
    assertThat(r.window()).isEqualTo(502);
    assertThat(r.payloadLen()).isEqualTo(6);
    assertThat(r.segmentLen()).isEqualTo(6);
    assertThat(r.options()).isEqualTo(TcpOptions.NONE.withTimestamps(0x1e2a4, 0x9abcdef0L));
    ByteBuffer p = h.payload();
    byte[] text = new byte[p.remaining()];
    p.get(text);
    assertThat(new String(text)).isEqualTo("hello\n");
  }

  // ------------------------------------------------------------------ construct and emit

  @Test void constructLinuxSyn() {
    TcpOptions o = TcpOptions.NONE.withMss(1460).withSackPermitted(true).withTimestamps(123456, 0).withWindowScale(7);
    TcpRepr r = new TcpRepr(40000, 2049, SeqNumber.of(0x1a2b3c4dL), SeqNumber.ZERO, SYN, 64240, o, 0);
    assertThat(r.bufferLen()).isEqualTo(40);
    assertThat(TcpRepr.build(SRC, DST, r, ByteBuffer.allocate(0)).array()).isEqualTo(Frames.hex(SYN_SEGMENT).array());
  }

  @ParameterizedTest(name = "{0}") @CsvSource({"SYN_SEGMENT", "DATA_SEGMENT"})
  void parseThenEmitReproducesTheBytes(String which) throws Malformed {
    ByteBuffer wire = Frames.hex(which.equals("SYN_SEGMENT") ? SYN_SEGMENT : DATA_SEGMENT);
    TcpHeader h = TcpHeader.checked(wire);
    TcpRepr r = TcpRepr.parse(h, SRC, DST, true);
    assertThat(TcpRepr.build(SRC, DST, r, h.payload()).array()).isEqualTo(wire.array());
    // and emit in place over a buffer with the payload already after the header
    ByteBuffer out = ByteBuffer.allocate(r.bufferLen());
    out.put(r.headerLen(), h.payload(), 0, r.payloadLen());
    r.emit(TcpHeader.unchecked(out), SRC, DST);
    assertThat(out.array()).isEqualTo(wire.array());
  }

  @Test void emitAtAnOffsetLeavesTheRestAlone() throws Malformed {
    TcpRepr r = parse(Frames.hex(DATA_SEGMENT));
    ByteBuffer big = ByteBuffer.allocate(14 + 20 + r.bufferLen() + 4);
    big.put(14 + 20 + r.headerLen(), "hello\n".getBytes());
    big.position(14 + 20);
    r.emit(TcpHeader.unchecked(big), SRC, DST);
    assertThat(big.position()).isEqualTo(34);
    assertThat(big.get(33)).isZero();
    assertThat(big.get(big.capacity() - 1)).isZero();
    ByteBuffer seg = big.slice(34, r.bufferLen());
    assertThat(seg).isEqualTo(Frames.hex(DATA_SEGMENT));
  }

  @Test void buildChecksPayloadLengthAndDoesNotConsumeIt() {
    TcpRepr r = new TcpRepr(1, 2, SeqNumber.ZERO, SeqNumber.ZERO, ACK, 0, TcpOptions.NONE, 3);
    ByteBuffer p = ByteBuffer.wrap("abcd".getBytes()).position(1);
    ByteBuffer seg = TcpRepr.build(SRC, DST, r, p);
    assertThat(p.position()).isEqualTo(1);
    assertThat(seg.get(20)).isEqualTo((byte) 'b');
    assertThat(seg.remaining()).isEqualTo(23);
    assertThatThrownBy(() -> TcpRepr.build(SRC, DST, r, ByteBuffer.allocate(2))).isInstanceOf(IllegalArgumentException.class);
    TcpRepr empty = new TcpRepr(1, 2, SeqNumber.ZERO, SeqNumber.ZERO, ACK, 0, TcpOptions.NONE, 0);
    assertThat(TcpRepr.build(SRC, DST, empty, null).remaining()).isEqualTo(20);
  }

  /** flags, payload, SEG.LEN (RFC 9293 §3.4: SYN and FIN each count one). */
  @ParameterizedTest(name = "{0}+{1} bytes -> {2}")
  @CsvSource({"2, 0, 1", "18, 0, 1", "16, 0, 0", "16, 100, 100", "17, 0, 1", "17, 10, 11", "4, 0, 0", "24, 1460, 1460"})
  void segmentLen(int flags, int payload, int segLen) {
    assertThat(new TcpRepr(1, 2, SeqNumber.ZERO, SeqNumber.ZERO, flags, 0, TcpOptions.NONE, payload).segmentLen())
        .isEqualTo(segLen);
  }

  @Test void flagsToString() {
    assertThat(TcpRepr.flagsToString(SYN | ACK)).isEqualTo("SYN,ACK");
    assertThat(TcpRepr.flagsToString(FIN | ACK)).isEqualTo("FIN,ACK");
    assertThat(TcpRepr.flagsToString(RST | ACK)).isEqualTo("RST,ACK");
    assertThat(TcpRepr.flagsToString(PSH | ACK)).isEqualTo("PSH,ACK");
    assertThat(TcpRepr.flagsToString(SYN | ECE | CWR)).isEqualTo("SYN,ECE,CWR");
    assertThat(TcpRepr.flagsToString(0xff)).isEqualTo("SYN,FIN,RST,PSH,ACK,URG,ECE,CWR");
    assertThat(TcpRepr.flagsToString(0)).isEqualTo("none");
  }

  // --------------------------------------------------------------- truncated and overlong

  static Stream<Arguments> malformedHeader() {
    return Stream.of(
        Arguments.of("empty", (Consumer<ByteBuffer>) b -> b.limit(0), DropReason.TCP_TRUNCATED),
        Arguments.of("19 bytes", (Consumer<ByteBuffer>) b -> b.limit(19), DropReason.TCP_TRUNCATED),
        Arguments.of("data offset 0", (Consumer<ByteBuffer>) b -> b.put(12, (byte) 0x00), DropReason.TCP_BAD_DATA_OFFSET),
        Arguments.of("data offset 4", (Consumer<ByteBuffer>) b -> b.put(12, (byte) 0x40), DropReason.TCP_BAD_DATA_OFFSET),
        Arguments.of("data offset 15 > 40 bytes", (Consumer<ByteBuffer>) b -> b.put(12, (byte) 0xf0), DropReason.TCP_BAD_DATA_OFFSET),
        Arguments.of("options cut short", (Consumer<ByteBuffer>) b -> b.limit(36), DropReason.TCP_BAD_DATA_OFFSET),
        Arguments.of("bad checksum", (Consumer<ByteBuffer>) b -> b.put(5, (byte) 0x2c), DropReason.TCP_BAD_CHECKSUM),
        Arguments.of("checksum of zero is not 'none'", (Consumer<ByteBuffer>) b -> b.putShort(16, (short) 0), DropReason.TCP_BAD_CHECKSUM),
        Arguments.of("option byte flipped", (Consumer<ByteBuffer>) b -> b.put(39, (byte) 8), DropReason.TCP_BAD_CHECKSUM),
        Arguments.of("source port 0", (Consumer<ByteBuffer>) b -> fixChecksum(b.putShort(0, (short) 0)), DropReason.TCP_BAD_PORT),
        Arguments.of("destination port 0", (Consumer<ByteBuffer>) b -> fixChecksum(b.putShort(2, (short) 0)), DropReason.TCP_BAD_PORT),
        Arguments.of("MSS length 5 in the SYN", (Consumer<ByteBuffer>) b -> fixChecksum(b.put(21, (byte) 5)), DropReason.TCP_BAD_OPTIONS));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("malformedHeader")
  void refused(String name, Consumer<ByteBuffer> damage, DropReason expected) {
    ByteBuffer b = Frames.hex(SYN_SEGMENT);
    damage.accept(b);
    assertThat(reason(() -> parse(b))).isEqualTo(expected);
  }

  @Test void checksumCoversThePseudoHeader() throws Malformed {
    ByteBuffer b = Frames.hex(SYN_SEGMENT);
    assertThat(reason(() -> TcpRepr.parse(TcpHeader.checked(b), SRC, Ipv4Address.parse("10.0.0.3"), true)))
        .isEqualTo(DropReason.TCP_BAD_CHECKSUM);
    assertThat(reason(() -> TcpRepr.parse(TcpHeader.checked(b), DST, SRC, true)))
        .isNull();   // swapping source and destination keeps the one's-complement sum
    b.put(5, (byte) 0x2c);
    assertThat(TcpRepr.parse(TcpHeader.checked(b), SRC, DST, false).seq()).isEqualTo(SeqNumber.of(0x1a2c3c4dL));
  }

  @Test void overlongBufferIsCutAtTheLimitAndReadRelativeToPosition() throws Malformed {
    ByteBuffer seg = Frames.hex(DATA_SEGMENT);
    ByteBuffer big = ByteBuffer.allocate(7 + seg.capacity() + 9);
    big.put(7, seg, 0, seg.capacity());
    big.position(7).limit(7 + seg.capacity());
    TcpHeader h = TcpHeader.checked(big);
    TcpRepr r = TcpRepr.parse(h, SRC, DST, true);
    assertThat(r.payloadLen()).isEqualTo(6);
    assertThat(h.payload()).isEqualTo(ByteBuffer.wrap("hello\n".getBytes()));
    assertThat(big.position()).isEqualTo(7);
    // a trailing byte inside the limit is payload as far as TCP can tell, so the checksum fails
    big.limit(big.limit() + 1).put(big.limit() - 1, (byte) 1);
    assertThat(reason(() -> TcpRepr.parse(TcpHeader.checked(big), SRC, DST, true))).isEqualTo(DropReason.TCP_BAD_CHECKSUM);
  }

  @Test void maximumHeaderOf60Bytes() throws Malformed {
    ByteBuffer b = withOptions("01".repeat(36) + "020405b4");
    TcpHeader h = TcpHeader.checked(b);
    assertThat(h.dataOffset()).isEqualTo(60);
    assertThat(TcpRepr.parse(h, SRC, DST, true).options().mss()).isEqualTo(1460);
  }

  // ------------------------------------------------------------------------------- flags

  /** flags byte, accepted. */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "SYN,         true", "SYN+ACK,     true", "RST,         true", "RST+ACK,     true",
      "ACK,         true", "FIN+ACK,     true", "PSH+ACK,     true", "SYN+ECE+CWR, true",
      "URG+ACK,     true", "FIN+RST+ACK, true",
      "SYN+FIN,     false", "SYN+RST,    false", "SYN+FIN+ACK, false", "SYN+RST+ACK, false",
      "FIN,         false", "PSH,        false", "FIN+PSH,     false", "URG,         false",
      "NONE,        false", "ECE+CWR,    false"})
  void flagCombinations(String names, boolean ok) throws Malformed {
    int flags = 0;
    for (String n : names.split("\\+")) {
      flags |= switch (n) {
        case "FIN" -> FIN; case "SYN" -> SYN; case "RST" -> RST; case "PSH" -> PSH;
        case "ACK" -> ACK; case "URG" -> URG; case "ECE" -> ECE; case "CWR" -> CWR; default -> 0;
      };
    }
    ByteBuffer b = Frames.hex(DATA_SEGMENT);
    b.put(TcpHeader.FLAGS, (byte) flags);
    fixChecksum(b);
    assertThat(TcpRepr.flagsValid(flags)).isEqualTo(ok);
    if (ok) assertThat(parse(b).flags()).isEqualTo(flags);
    else assertThat(reason(() -> parse(b))).isEqualTo(DropReason.TCP_BAD_FLAGS);
  }

  @Test void reservedBitsAreIgnoredOnInputAndClearedOnEmit() throws Malformed {
    ByteBuffer b = Frames.hex(DATA_SEGMENT);
    b.put(TcpHeader.DATA_OFFSET, (byte) 0x8f);
    fixChecksum(b);
    TcpRepr r = parse(b);
    assertThat(TcpRepr.build(SRC, DST, r, TcpHeader.checked(b).payload()).array()).isEqualTo(Frames.hex(DATA_SEGMENT).array());
  }

  // ----------------------------------------------------------------------------- options

  /** Options as sent (whole words), and why they are refused. */
  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "kind without length byte,     01010102",
      "length 0,                     08000000",
      "length 1 unknown kind,        fe010000",
      "length 1 MSS,                 02010000",
      "runs past the options,        fe080000",
      "runs past by one,             01010101 fe050000",
      "MSS length 3,                 02030500",
      "MSS length 5,                 0205 05b4 00 000000",
      "WS length 2,                  03020000",
      "WS length 4,                  03040700",
      "SACK_PERM length 3,           04030000",
      "SACK_PERM length 4,           04040000",
      "TS length 8,                  0808 00000000 0000",
      "TS length 12,                 080c 00000000 00000000 0000",
      "TS cut by the header end,     0101 080a 00000000",
      "SACK with 0 blocks,           05020000",
      "SACK length 11,               0101 050b 00000000 00000000 00 000000",
      "SACK length 9,                050900000000000000000000",
      "SACK with 5 blocks,           052a 00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008 00000009 0000",
  })
  void malformedOptions(String name, String opts) {
    assertThat(reason(() -> parse(withOptions(opts)))).isEqualTo(DropReason.TCP_BAD_OPTIONS);
  }

  @Test void sackWithFiveBlocksIsRefusedEvenWhenTheBytesAreThere() {
    // 42 bytes cannot fit in a header; the count check still holds for a bare walk.
    ByteBuffer opts = Frames.hex("052a" + "00000001".repeat(10));
    assertThat(reason(() -> TcpOptions.parse(opts))).isEqualTo(DropReason.TCP_BAD_OPTIONS);
    assertThat(reason(() -> TcpOptions.parse(Frames.hex("0522" + "00000001".repeat(8))))).isNull();
  }

  @Test void walkUsesPositionAndLimitOfTheView() throws Malformed {
    ByteBuffer opts = Frames.hex("ff 020405b4 0303 07");
    opts.position(1).limit(5);
    assertThat(TcpOptions.parse(opts)).isEqualTo(TcpOptions.NONE.withMss(1460));
  }

  @Test void windowScaleAbove14IsClampedAndFlagged() throws Malformed {
    TcpOptions ws15 = parse(withOptions("0103030f")).options();
    assertThat(ws15.windowScale()).isEqualTo(14);
    assertThat(ws15.windowScaleClamped()).isTrue();
    TcpOptions ws255 = parse(withOptions("010303ff")).options();
    assertThat(ws255.windowScale()).isEqualTo(14);
    assertThat(ws255.windowScaleClamped()).isTrue();
    TcpOptions ws14 = parse(withOptions("0103030e")).options();
    assertThat(ws14.windowScale()).isEqualTo(14);
    assertThat(ws14.windowScaleClamped()).isFalse();
    TcpOptions ws0 = parse(withOptions("01030300")).options();
    assertThat(ws0.windowScale()).isZero();
    assertThat(ws0.windowScaleClamped()).isFalse();
    assertThat(parse(Frames.hex(DATA_SEGMENT)).options().windowScale()).isEqualTo(-1);
  }

  @Test void unknownOptionsAreSkipped() throws Malformed {
    // kind 30 (MPTCP) of 8 bytes, kind 253 (experiment) of 2 bytes, then MSS
    TcpOptions o = parse(withOptions("1e08 0000 0000 0000 fd02 020405b4 0000")).options();
    assertThat(o).isEqualTo(TcpOptions.NONE.withMss(1460));
    // kind 34 (TCP Fast Open cookie request), length 2, fills out the word
    assertThat(parse(withOptions("2202 0101")).options()).isEqualTo(TcpOptions.NONE);
  }

  @Test void endOfOptionListStopsTheWalk() throws Malformed {
    // after EOL comes padding; even bytes that would be malformed are not read
    assertThat(parse(withOptions("020405b4 00 fe01ff")).options()).isEqualTo(TcpOptions.NONE.withMss(1460));
    assertThat(parse(withOptions("00000000")).options()).isEqualTo(TcpOptions.NONE);
    assertThat(parse(withOptions("01010101")).options()).isEqualTo(TcpOptions.NONE);
  }

  @Test void sackBlocksAreRead() throws Malformed {
    TcpOptions one = parse(withOptions("0101 050a 00001000 00002000")).options();
    assertThat(one.sack()).containsExactly(new SackBlock(SeqNumber.of(0x1000), SeqNumber.of(0x2000)));
    TcpOptions four = parse(withOptions("0101 0522 fffffff0 00000010 00000020 00000030 00000040 00000050 00000060 00000070")).options();
    assertThat(four.sack()).containsExactly(
        new SackBlock(SeqNumber.of(0xfffffff0L), SeqNumber.of(0x10)),
        new SackBlock(SeqNumber.of(0x20), SeqNumber.of(0x30)),
        new SackBlock(SeqNumber.of(0x40), SeqNumber.of(0x50)),
        new SackBlock(SeqNumber.of(0x60), SeqNumber.of(0x70)));
  }

  @Test void repeatedOptionLastWinsAndMssZeroIsKept() throws Malformed {
    assertThat(parse(withOptions("02040100 02040200")).options().mss()).isEqualTo(0x200);
    assertThat(parse(withOptions("02040000")).options().mss()).isZero();
  }

  /** Options, the bytes Linux would put on the wire for them. */
  static Stream<Arguments> emitted() {
    TcpOptions n = TcpOptions.NONE;
    SackBlock b1 = new SackBlock(SeqNumber.of(1), SeqNumber.of(2)), b2 = new SackBlock(SeqNumber.of(3), SeqNumber.of(4)),
        b3 = new SackBlock(SeqNumber.of(5), SeqNumber.of(6)), b4 = new SackBlock(SeqNumber.of(7), SeqNumber.of(8));
    return Stream.of(
        Arguments.of(n, ""),
        Arguments.of(n.withMss(1460), "020405b4"),
        Arguments.of(n.withMss(1460).withWindowScale(7), "020405b4 01030307"),
        Arguments.of(n.withMss(1460).withSackPermitted(true), "020405b4 01010402"),
        Arguments.of(n.withMss(1460).withSackPermitted(true).withWindowScale(7), "020405b4 01010402 01030307"),
        Arguments.of(n.withTimestamps(0xffffffffL, 1), "0101080a ffffffff 00000001"),
        Arguments.of(n.withMss(1460).withSackPermitted(true).withTimestamps(123456, 0).withWindowScale(7),
            "020405b4 0402080a 0001e240 00000000 01030307"),
        Arguments.of(n.withSack(List.of(b1)), "0101050a 00000001 00000002"),
        Arguments.of(n.withTimestamps(9, 8).withSack(List.of(b1, b2)),
            "0101080a 00000009 00000008 01010512 00000001 00000002 00000003 00000004"),
        // Linux sends only the blocks that fit: three beside timestamps, two beside MSS+TS+WS
        Arguments.of(n.withTimestamps(9, 8).withSack(List.of(b1, b2, b3, b4)),
            "0101080a 00000009 00000008 0101051a 00000001 00000002 00000003 00000004 00000005 00000006"),
        Arguments.of(n.withSack(List.of(b1, b2, b3, b4)),
            "01010522 00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008"),
        Arguments.of(n.withMss(536).withTimestamps(9, 8).withWindowScale(14).withSack(List.of(b1, b2, b3)),
            "02040218 0101080a 00000009 00000008 0103030e 01010512 00000001 00000002 00000003 00000004"));
  }

  @ParameterizedTest(name = "[{index}] {1}") @MethodSource("emitted")
  void emitLikeLinux(TcpOptions o, String hex) throws Malformed {
    ByteBuffer want = Frames.hex(hex);
    assertThat(o.bufferLen()).isEqualTo(want.capacity()).isLessThanOrEqualTo(TcpOptions.MAX_LEN);
    assertThat(o.bufferLen() % 4).isZero();
    ByteBuffer out = ByteBuffer.allocate(o.bufferLen() + 6);
    o.emit(out, 3);
    assertThat(out.slice(3, o.bufferLen())).isEqualTo(want);
    assertThat(out.get(2)).isZero();
    assertThat(out.get(3 + o.bufferLen())).isZero();
    // a whole segment carrying them parses back to what was sent, less any SACK blocks left out
    TcpRepr r = new TcpRepr(40000, 2049, SeqNumber.of(77), SeqNumber.of(88), ACK, 1000, o, 0);
    TcpOptions back = parse(TcpRepr.build(SRC, DST, r, ByteBuffer.allocate(0))).options();
    assertThat(back.withSack(List.of())).isEqualTo(o.withSack(List.of()));
    assertThat(back.sack()).hasSize(o.sack().isEmpty() ? 0 : (hex.replace(" ", "").length() / 2 - o.withSack(List.of()).bufferLen() - 4) / 8)
        .isEqualTo(o.sack().subList(0, back.sack().size()));
  }

  @Test void optionValuesOutOfRangeAreRefused() {
    SackBlock b = new SackBlock(SeqNumber.ZERO, SeqNumber.ZERO);
    assertThatThrownBy(() -> TcpOptions.NONE.withSack(List.of(b, b, b, b, b))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TcpOptions.NONE.withWindowScale(15)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TcpOptions.NONE.withMss(65536)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TcpOptions.NONE.withTimestamps(1L << 32, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(TcpOptions.NONE.withMss(1460).withMss(-1)).isEqualTo(TcpOptions.NONE);
    assertThat(TcpOptions.NONE.withTimestamps(1, 2).withoutTimestamps()).isEqualTo(TcpOptions.NONE);
  }
}
