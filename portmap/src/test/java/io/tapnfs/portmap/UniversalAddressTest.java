package io.tapnfs.portmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class UniversalAddressTest {
  @Test
  void rfc3530Example() {
    // RFC 3530 §2.2: 0x0A010307 port 0x020F (527) is "10.1.3.7.2.15".
    var a = new UniversalAddress(0x0a010307, 527);
    assertThat(a.toString()).isEqualTo("10.1.3.7.2.15");
    assertThat(UniversalAddress.parse("10.1.3.7.2.15")).contains(a);
  }

  @ParameterizedTest
  @CsvSource({
      "0.0.0.0.0.0, 0x00000000, 0",
      "10.73.0.2.8.1, 0x0a490002, 2049",
      "255.255.255.255.255.255, 0xffffffff, 65535",
      "192.0.2.1.0.111, 0xc0000201, 111",
      "010.073.000.002.008.001, 0x0a490002, 2049"})
  void parses(String uaddr, String hex, int port) {
    int ipv4 = Integer.parseUnsignedInt(hex.substring(2), 16);
    assertThat(UniversalAddress.parse(uaddr)).contains(new UniversalAddress(ipv4, port));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", ".", "1.2.3.4.5", "1.2.3.4.5.6.7", "1.2.3.4.5.", ".1.2.3.4.5",
      "1.2.3.4..5", "256.0.0.0.0.0", "1.2.3.4.5.256", "1.2.3.4.5.+6", "1.2.3.4.5.-6",
      "1.2.3.4.5.6 ", "1 .2.3.4.5.6", "0x1.2.3.4.5.6", "1.2.3.4.5.0006", "::1.0.111",
      "fe80::1.8.1", "1.2.3.4.5.６", "1111.2.3.4.5.6"})
  void rejects(String uaddr) {
    assertThat(UniversalAddress.parse(uaddr)).isEmpty();
  }

  @Test
  void formatsEveryPortByteBoundary() {
    assertThat(new UniversalAddress(0x0a000002, 255).toString()).isEqualTo("10.0.0.2.0.255");
    assertThat(new UniversalAddress(0x0a000002, 256).toString()).isEqualTo("10.0.0.2.1.0");
    assertThat(new UniversalAddress(0x80000001, 0).toString()).isEqualTo("128.0.0.1.0.0");
  }

  @Test
  void portMustFitSixteenBits() {
    assertThatThrownBy(() -> new UniversalAddress(0, 65536))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new UniversalAddress(0, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dottedQuad() {
    assertThat(UniversalAddress.parseDottedQuad("10.73.0.2")).isEqualTo(Optional.of(0x0a490002));
    assertThat(UniversalAddress.parseDottedQuad("10.73.0.2.8.1")).isEmpty();
    assertThat(UniversalAddress.parseDottedQuad("example.org")).isEmpty();
  }
}
