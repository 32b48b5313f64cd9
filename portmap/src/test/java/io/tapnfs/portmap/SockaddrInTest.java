package io.tapnfs.portmap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SockaddrInTest {
  static final UniversalAddress NFS = new UniversalAddress(0x0a490002, 2049);

  @Test
  void emitsLinuxLittleEndianLayout() {
    assertThat(SockaddrIn.emit(NFS)).containsExactly(
        2, 0,             // sin_family AF_INET, host (little-endian) order
        8, 1,             // sin_port 2049, network order
        10, 73, 0, 2,     // sin_addr
        0, 0, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void parsesWhatItEmits() {
    assertThat(SockaddrIn.parse(SockaddrIn.emit(NFS))).contains(NFS);
  }

  @Test
  void ignoresSinZero() {
    byte[] b = SockaddrIn.emit(NFS);
    b[15] = 7;
    assertThat(SockaddrIn.parse(b)).contains(NFS);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 8, 15, 17, 28})
  void rejectsOtherLengths(int len) {
    byte[] b = new byte[len];
    if (len > 1) b[0] = 2;
    assertThat(SockaddrIn.parse(b)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0000", "0a00", "000a", "1c1c", "0202", "1002x"})
  void rejectsOtherFamilies(String family) {
    byte[] b = SockaddrIn.emit(NFS);
    if (family.length() == 5) {                     // BSD length byte wrong
      b[0] = 15;
      b[1] = 2;
    } else {
      b[0] = (byte) Integer.parseInt(family.substring(0, 2), 16);
      b[1] = (byte) Integer.parseInt(family.substring(2, 4), 16);
    }
    assertThat(SockaddrIn.parse(b)).isEmpty();
  }
}
