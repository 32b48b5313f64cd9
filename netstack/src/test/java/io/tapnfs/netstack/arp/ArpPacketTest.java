package io.tapnfs.netstack.arp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Frames;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ArpPacketTest {
  // who-has 10.0.0.2 tell 10.0.0.1, from 52:54:00:12:34:56 (RFC 826 layout)
  static final String REQUEST = "0001 0800 06 04 0001 525400123456 0a000001 000000000000 0a000002";

  @Test void deconstruct() throws Malformed {
    ArpRepr r = ArpRepr.parse(ArpPacket.checked(Frames.hex(REQUEST)));
    assertThat(r).isEqualTo(new ArpRepr(ArpOperation.REQUEST, MacAddress.parse("52:54:00:12:34:56"),
        Ipv4Address.parse("10.0.0.1"), MacAddress.ZERO, Ipv4Address.parse("10.0.0.2")));
    assertThat(r.isProbe()).isFalse();
    assertThat(r.isAnnouncement()).isFalse();
  }

  @Test void emitRoundTrips() throws Malformed {
    ArpRepr r = ArpRepr.parse(ArpPacket.checked(Frames.hex(REQUEST)));
    ByteBuffer b = ByteBuffer.allocate(r.bufferLen());
    r.emit(ArpPacket.unchecked(b));
    assertThat(b.array()).isEqualTo(Frames.hex(REQUEST).array());
  }

  @Test void truncated() {
    assertThatThrownBy(() -> ArpPacket.checked(ByteBuffer.allocate(27)))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.ARP_TRUNCATED);
  }

  @ParameterizedTest
  @CsvSource({
      "0006 0800 06 04 0001, ARP_UNSUPPORTED_HARDWARE",
      "0001 0800 08 04 0001, ARP_UNSUPPORTED_HARDWARE",
      "0001 86dd 06 04 0001, ARP_UNSUPPORTED_PROTOCOL",
      "0001 0800 06 10 0001, ARP_UNSUPPORTED_PROTOCOL",
      "0001 0800 06 04 0003, ARP_BAD_OPERATION"})
  void badFixedFields(String head, DropReason reason) {
    ByteBuffer b = Frames.hex(head + REQUEST.replace(" ", "").substring(16));
    assertThatThrownBy(() -> ArpRepr.parse(ArpPacket.checked(b)))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(reason);
  }

  @Test void broadcastSenderIsRefused() {
    ByteBuffer b = Frames.hex(REQUEST.replace("525400123456", "ffffffffffff"));
    assertThatThrownBy(() -> ArpRepr.parse(ArpPacket.checked(b)))
        .extracting(e -> ((Malformed) e).reason()).isEqualTo(DropReason.ARP_BAD_SENDER);
  }
}
