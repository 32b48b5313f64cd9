package io.tapnfs.portmap.xdr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.glassfish.grizzly.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Per wire type: construct, emit (exact bytes), parse, round trip, truncated, overlong. */
class XdrTypesTest {
  static byte[] xdr(Consumer<XdrEncodingStream> body) {
    Xdr x = new Xdr(16);
    x.beginEncoding();
    body.accept(x);
    x.endEncoding();
    Buffer b = x.asBuffer();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  static byte[] encode(XdrType v) {
    return xdr(v::encode);
  }

  static <T> T decode(byte[] bytes, XdrDecoder<T> decoder) throws IOException {
    Xdr x = new Xdr(bytes.clone());
    x.beginDecoding();
    T v = decoder.decode(x);
    assertThat(x.hasMoreData()).as("trailing bytes").isFalse();
    return v;
  }

  static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s.replace(" ", ""));
  }

  static final RpcbStat STAT = new RpcbStat(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},
      0, 0, List.of(new RpcbsAddr(100003, 3, 5, 1, "tcp"), new RpcbsAddr(100005, 1, 0, 2, "udp")),
      List.of(new RpcbsRmtcall(100005, 3, 0, 1, 0, 1, "udp")));

  record Case(String name, XdrType value, XdrDecoder<?> decoder) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("mapping", new Mapping(100003, 3, 6, 2049), Mapping::decode),
        new Case("pmaplist", new Pmaplist(List.of(new Mapping(100000, 2, 17, 111),
            new Mapping(100003, 3, 6, 2049))), Pmaplist::decode),
        new Case("rpcb", new Rpcb(100003, 3, "tcp", "10.0.0.2.8.1", "tapnfs"), Rpcb::decode),
        new Case("rpcblist", new RpcbList(List.of(new Rpcb(1, 2, "udp", "1.2.3.4.0.1", ""),
            new Rpcb(-1, -2, "tcp", "", "superuser"))), RpcbList::decode),
        new Case("netbuf", new Netbuf(16, new byte[] {2, 0, 8, 1, 10, 0, 0, 2, 0, 0, 0, 0, 0, 0,
            0, 0}), Netbuf::decode),
        new Case("rpcb_entry", new RpcbEntry("10.0.0.2.8.1", "tcp", 3, "inet", "tcp"),
            RpcbEntry::decode),
        new Case("rpcb_entry_list", new RpcbEntryList(List.of(
            new RpcbEntry("10.0.0.2.8.1", "udp", 1, "inet", "udp"))), RpcbEntryList::decode),
        new Case("rpcbs_addr", new RpcbsAddr(100003, 3, 7, 0, "tcp"), RpcbsAddr::decode),
        new Case("rpcbs_rmtcall", new RpcbsRmtcall(1, 2, 3, 4, 5, 6, "udp"), RpcbsRmtcall::decode),
        new Case("rpcb_stat", STAT, RpcbStat::decode),
        new Case("rpcb_stat_byvers", new RpcbStatByvers(List.of(STAT, STAT, STAT)),
            RpcbStatByvers::decode));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void roundTrips(Case c) throws IOException {
    byte[] bytes = encode(c.value());
    assertThat(bytes.length % 4).as("XDR is 4-byte aligned").isZero();
    assertThat(decode(bytes, c.decoder())).isEqualTo(c.value());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void everyTruncationFails(Case c) {
    byte[] bytes = encode(c.value());
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> decode(cut, c.decoder()))
          .as("%s cut to %d of %d bytes", c, len, bytes.length)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void mappingBytes() {
    assertThat(encode(new Mapping(100003, 3, 6, 2049)))
        .containsExactly(hex("000186a3 00000003 00000006 00000801"));
  }

  @Test
  void rpcbBytesArePadded() {
    assertThat(encode(new Rpcb(100000, 4, "tcp", "1.2.3.4.0.111", "")))
        .containsExactly(hex("000186a0 00000004"
            + "00000003 74637000"                        // "tcp" + 1 pad byte
            + "0000000d 312e322e 332e342e 302e3131 31000000"  // "1.2.3.4.0.111" + 3
            + "00000000"));                              // ""
  }

  @Test
  void listsAreOptionalDataChains() {
    assertThat(encode(new Pmaplist(List.of()))).containsExactly(hex("00000000"));
    assertThat(encode(new Pmaplist(List.of(new Mapping(1, 2, 17, 3)))))
        .containsExactly(hex("00000001 00000001 00000002 00000011 00000003 00000000"));
  }

  @Test
  void rpcbStatInfoIsAFixedArrayWithoutLength() {
    RpcbStat empty = new RpcbStat(new int[13], 0, 0, List.of(), List.of());
    assertThat(encode(empty)).hasSize(4 * (13 + 2 + 1 + 1));
    assertThat(encode(new RpcbStatByvers(List.of(empty, empty, empty)))).hasSize(3 * 68);
  }

  @Test
  void stringLengthIsBoundedBeforeAllocation() {
    // 2 GiB claimed by an 8-byte message: refused on the length word, nothing allocated.
    byte[] huge = hex("7fffffff 00000000");
    assertThatThrownBy(() -> decode(huge, in -> Xdrs.string(in, 64)))
        .isInstanceOf(XdrMalformed.class).hasMessageContaining("2147483647");
    byte[] negative = hex("ffffffff");
    assertThatThrownBy(() -> decode(negative, in -> Xdrs.opaque(in, 64)))
        .isInstanceOf(XdrMalformed.class).hasMessageContaining("4294967295");
  }

  @Test
  void rpcbFieldsHaveBounds() {
    byte[] longNetid = xdr(x -> {
      x.xdrEncodeInt(1);
      x.xdrEncodeInt(1);
      x.xdrEncodeString("t".repeat(Rpcb.MAX_NETID + 1));
      x.xdrEncodeString("");
      x.xdrEncodeString("");
    });
    assertThatThrownBy(() -> decode(longNetid, Rpcb::decode)).isInstanceOf(XdrMalformed.class);
    byte[] atBound = xdr(x -> {
      x.xdrEncodeInt(1);
      x.xdrEncodeInt(1);
      x.xdrEncodeString("t".repeat(Rpcb.MAX_NETID));
      x.xdrEncodeString("a".repeat(Rpcb.MAX_ADDR));
      x.xdrEncodeString("o".repeat(Rpcb.MAX_OWNER));
    });
    assertThat(assertDecodes(atBound).owner()).hasSize(Rpcb.MAX_OWNER);
  }

  static Rpcb assertDecodes(byte[] bytes) {
    try {
      return decode(bytes, Rpcb::decode);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void netbufIsBounded() {
    byte[] big = xdr(x -> {
      x.xdrEncodeInt(200);
      x.xdrEncodeDynamicOpaque(new byte[Netbuf.MAX_BUF + 1]);
    });
    assertThatThrownBy(() -> decode(big, Netbuf::decode)).isInstanceOf(XdrMalformed.class);
    assertThatThrownBy(() -> new Netbuf(0, new byte[Netbuf.MAX_BUF + 1]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void boolMustBeZeroOrOne() {
    byte[] two = hex("00000002 00000001 00000002 00000011 00000003 00000000");
    assertThatThrownBy(() -> decode(two, Pmaplist::decode))
        .isInstanceOf(XdrMalformed.class).hasMessageContaining("bool");
  }

  @Test
  void listsAreBounded() {
    byte[] longList = xdr(x -> {
      for (int i = 0; i <= Pmaplist.MAX_ENTRIES; i++) {
        x.xdrEncodeBoolean(true);
        new Mapping(i, 1, 6, 1).encode(x);
      }
      x.xdrEncodeBoolean(false);
    });
    assertThatThrownBy(() -> decode(longList, Pmaplist::decode))
        .isInstanceOf(XdrMalformed.class).hasMessageContaining("longer");
  }

  @Test
  void netbufIsImmutableAndComparesByContent() {
    byte[] b = {1, 2, 3};
    Netbuf n = new Netbuf(3, b);
    b[0] = 9;
    n.buf()[1] = 9;
    assertThat(n.buf()).containsExactly(1, 2, 3);
    assertThat(n).isEqualTo(new Netbuf(3, new byte[] {1, 2, 3}))
        .hasSameHashCodeAs(new Netbuf(3, new byte[] {1, 2, 3}))
        .isNotEqualTo(new Netbuf(4, new byte[] {1, 2, 3}));
  }

  @Test
  void rpcbStatIsImmutableAndChecksItsShape() {
    int[] info = new int[13];
    RpcbStat s = new RpcbStat(info, 0, 0, List.of(), List.of());
    info[0] = 5;
    s.info()[1] = 5;
    assertThat(s.info(0)).isZero();
    assertThat(s.info(1)).isZero();
    assertThatThrownBy(() -> new RpcbStat(new int[12], 0, 0, List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RpcbStatByvers(List.of(s, s)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void valuesRefuseStringsTheyCouldNotWrite() {
    assertThatThrownBy(() -> new Rpcb(1, 1, "t".repeat(Rpcb.MAX_NETID + 1), "", ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Rpcb(1, 1, "tcp", "", "\u0100"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void adaptersAreOneWay() throws IOException {
    XdrArgs<Mapping> args = XdrArgs.of(Mapping::decode);
    Xdr in = new Xdr(encode(new Mapping(1, 2, 6, 4)));
    in.beginDecoding();
    args.xdrDecode(in);
    assertThat(args.value()).isEqualTo(new Mapping(1, 2, 6, 4));
    assertThatThrownBy(() -> args.xdrEncode(new Xdr(16)))
        .isInstanceOf(UnsupportedOperationException.class);

    XdrReply reply = XdrReply.of(new Mapping(1, 2, 6, 4));
    assertThat(xdr(reply::xdrEncode)).containsExactly(encode(new Mapping(1, 2, 6, 4)));
    assertThatThrownBy(() -> reply.xdrDecode(in)).isInstanceOf(UnsupportedOperationException.class);
  }
}
