package io.tapnfs.netstack.ipv4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Frames;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Ipv4WireTest {
  // A real ICMP echo request header (Linux ping to 10.0.0.2): id 0x4a5b, DF, TTL 64, checksum ok.
  static final String HEADER = "4500 0054 4a5b 4000 4001 dc4b 0a000001 0a000002";

  static ByteBuffer packet() {
    ByteBuffer h = Frames.hex(HEADER);
    ByteBuffer b = ByteBuffer.allocate(0x54);
    b.put(h);
    return b.clear();
  }

  @Test void deconstruct() throws Malformed {
    Ipv4Header h = Ipv4Header.checked(packet());
    assertThat(h.checksumValid()).isTrue();
    Ipv4Repr r = Ipv4Repr.parse(h, true);
    assertThat(r.src()).isEqualTo(Ipv4Address.parse("10.0.0.1"));
    assertThat(r.dst()).isEqualTo(Ipv4Address.parse("10.0.0.2"));
    assertThat(r.protocol()).isEqualTo(IpProtocol.ICMP);
    assertThat(r.payloadLen()).isEqualTo(64);
    assertThat(r.ttl()).isEqualTo(64);
    assertThat(r.ident()).isEqualTo(0x4a5b);
    assertThat(r.dontFragment()).isTrue();
    assertThat(r.isFragment()).isFalse();
  }

  @Test void emitReproducesTheCapturedHeader() throws Malformed {
    Ipv4Repr r = Ipv4Repr.parse(Ipv4Header.checked(packet()), true);
    ByteBuffer b = ByteBuffer.allocate(20);
    r.emit(Ipv4Header.unchecked(b));
    assertThat(b.array()).isEqualTo(Frames.hex(HEADER).array());
  }

  @Test void trailingLinkPaddingIsCutOff() throws Malformed {
    ByteBuffer b = ByteBuffer.allocate(0x54 + 10);
    b.put(packet());
    b.clear();
    Ipv4Header h = Ipv4Header.checked(b);
    assertThat(h.payload().remaining()).isEqualTo(64);
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("truncated below 20", (Consumer<ByteBuffer>) b -> b.limit(19), DropReason.IPV4_TRUNCATED),
        Arguments.of("version 6", (Consumer<ByteBuffer>) b -> b.put(0, (byte) 0x65), DropReason.IPV4_BAD_VERSION),
        Arguments.of("IHL 4", (Consumer<ByteBuffer>) b -> b.put(0, (byte) 0x44), DropReason.IPV4_BAD_HEADER_LENGTH),
        Arguments.of("total length < IHL", (Consumer<ByteBuffer>) b -> b.putShort(2, (short) 19), DropReason.IPV4_BAD_TOTAL_LENGTH),
        Arguments.of("total length > frame", (Consumer<ByteBuffer>) b -> b.putShort(2, (short) 0x55), DropReason.IPV4_BAD_TOTAL_LENGTH),
        Arguments.of("IHL beyond total length", (Consumer<ByteBuffer>) b -> { b.put(0, (byte) 0x4f); b.putShort(2, (short) 40); }, DropReason.IPV4_BAD_TOTAL_LENGTH),
        Arguments.of("bad checksum", (Consumer<ByteBuffer>) b -> b.put(8, (byte) 63), DropReason.IPV4_BAD_CHECKSUM));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("malformed")
  void refused(String name, Consumer<ByteBuffer> damage, DropReason reason) {
    ByteBuffer b = packet();
    damage.accept(b);
    assertThatThrownBy(() -> Ipv4Repr.parse(Ipv4Header.checked(b), true))
        .isInstanceOf(Malformed.class).extracting(e -> ((Malformed) e).reason()).isEqualTo(reason);
  }

  static ByteBuffer withOptions(String opts) {
    ByteBuffer o = Frames.hex(opts);
    int hl = 20 + o.remaining();
    ByteBuffer b = ByteBuffer.allocate(hl + 8);
    b.put(packet().limit(20));
    b.put(0, (byte) (0x40 | hl / 4));
    b.putShort(2, (short) (hl + 8));
    b.put(20, o, 0, o.remaining());
    b.putShort(10, (short) 0);
    b.putShort(10, (short) Checksum.of(b, 0, hl));
    return b.clear();
  }

  @Test void optionsAreWalkedSafely() throws Malformed {
    assertThat(Ipv4Repr.parse(Ipv4Header.checked(withOptions("01010100")), true).sourceRouted()).isFalse();
    assertThat(Ipv4Repr.parse(Ipv4Header.checked(withOptions("8307040a000001 00")), true).sourceRouted()).isTrue();
    assertThat(Ipv4Repr.parse(Ipv4Header.checked(withOptions("8907040a000001 00")), true).sourceRouted()).isTrue();
    // record route (7) with a length running past the header
    assertThatThrownBy(() -> Ipv4Repr.parse(Ipv4Header.checked(withOptions("07270400")), true))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.IPV4_BAD_OPTIONS);
    // length 1 is impossible for a TLV option
    assertThatThrownBy(() -> Ipv4Repr.parse(Ipv4Header.checked(withOptions("44010000")), true))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.IPV4_BAD_OPTIONS);
  }

  @Test void checksumOfRfc1071Example() {
    // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 (before complement)
    ByteBuffer b = Frames.hex("0001f203f4f5f6f7");
    assertThat(Checksum.of(b, 0, 8)).isEqualTo(~0xddf2 & 0xffff);
    ByteBuffer odd = Frames.hex("0001f203f4f5f6");
    assertThat(Checksum.of(odd, 0, 7)).isEqualTo(~(0xddf2 - 0x00f7) & 0xffff);
  }

  @Test void addressParsing() {
    assertThat(Ipv4Address.parse("10.0.0.255").toString()).isEqualTo("10.0.0.255");
    for (String bad : new String[] {"10.0.0", "10.0.0.256", "10.0.0.-1", "a.b.c.d", "10..0.1", "1.2.3.4.5", " "})
      assertThatThrownBy(() -> Ipv4Address.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    Ipv4Cidr c = Ipv4Cidr.parse("10.1.2.3/24");
    assertThat(c.network()).isEqualTo(Ipv4Address.parse("10.1.2.0"));
    assertThat(c.broadcast()).isEqualTo(Ipv4Address.parse("10.1.2.255"));
    assertThat(c.contains(Ipv4Address.parse("10.1.2.200"))).isTrue();
    assertThat(c.contains(Ipv4Address.parse("10.1.3.1"))).isFalse();
    assertThat(Ipv4Cidr.parse("10.0.0.1/31").isDirectedBroadcast(Ipv4Address.parse("10.0.0.1"))).isFalse();
    assertThatThrownBy(() -> Ipv4Cidr.parse("10.0.0.1/33")).isInstanceOf(IllegalArgumentException.class);
  }
}
