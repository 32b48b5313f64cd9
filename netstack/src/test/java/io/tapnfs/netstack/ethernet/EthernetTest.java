package io.tapnfs.netstack.ethernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Frames;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EthernetTest {
  // An ARP request as the Linux kernel sends it (captured): broadcast, from 9a:..., type 0806.
  static final String FRAME = "ffffffffffff 9a1b2c3d4e5f 0806 0001080006040001";

  @Test void deconstruct() throws Malformed {
    EthernetHeader h = EthernetHeader.checked(Frames.hex(FRAME));
    assertThat(h.dst()).isEqualTo(MacAddress.BROADCAST);
    assertThat(h.src()).isEqualTo(MacAddress.parse("9a:1b:2c:3d:4e:5f"));
    assertThat(h.etherType()).isEqualTo(EtherType.ARP);
    assertThat(h.payload().remaining()).isEqualTo(8);
  }

  @Test void constructMatchesBytes() {
    ByteBuffer b = ByteBuffer.allocate(EthernetHeader.LENGTH);
    new EthernetRepr(MacAddress.parse("9a:1b:2c:3d:4e:5f"), MacAddress.BROADCAST, EtherType.ARP).emit(EthernetHeader.unchecked(b));
    assertThat(b.array()).isEqualTo(java.util.Arrays.copyOf(Frames.hex(FRAME).array(), EthernetHeader.LENGTH));
  }

  @ParameterizedTest @ValueSource(ints = {0, 1, 13})
  void truncatedIsRefused(int len) {
    assertThatThrownBy(() -> EthernetHeader.checked(ByteBuffer.allocate(len)))
        .isInstanceOf(Malformed.class).extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.ETH_TRUNCATED);
  }

  @Test void multicastSourceIsRefused() {
    ByteBuffer b = Frames.hex("ffffffffffff 010203040506 0800");
    assertThatThrownBy(() -> EthernetRepr.parse(EthernetHeader.checked(b)))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.ETH_BAD_SOURCE);
  }

  @Test void macParsingAndPrinting() {
    assertThat(MacAddress.parse("02-00-5E-10-00-01").toString()).isEqualTo("02:00:5e:10:00:01");
    assertThat(MacAddress.BROADCAST.isMulticast()).isTrue();
    assertThat(MacAddress.parse("02:00:00:00:00:01").isUnicast()).isTrue();
    assertThatThrownBy(() -> MacAddress.parse("02:00:00:00:00")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MacAddress.parse("02:00:00:00:00:100")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test void randomLocalIsLocallyAdministeredUnicast() {
    for (int i = 0; i < 100; i++) {
      MacAddress m = MacAddress.randomLocal(new java.util.SplittableRandom(i));
      assertThat(m.isUnicast()).isTrue();
      assertThat((m.bits() >>> 40) & 0x02).isEqualTo(2);
    }
  }
}
