package io.tapnfs.nfs.nsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.net.Inet4Address;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MonitorRecordTest {
  static final Inet4Address GUEST = (Inet4Address) Ipv4Address.parse("10.77.0.3").toInet();

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "guest|guest",
      "Guest.Example.ORG|guest.example.org",
      "10.77.0.3|10.77.0.3",
      "my_host-1|my_host-1",
      ".|%2E",
      "..|%2E.",
      ".hidden|%2Ehidden",
      "../../etc/passwd|%2E.%2F..%2Fetc%2Fpasswd",
      "a/b|a%2Fb",
      "a b|a%20b",
      "a%b|a%25b",
      "a~b|a%7Eb",
      "é|%C3%A9",
  })
  void fileNamesStayInTheirDirectory(String name, String file) {
    assertThat(MonitorRecord.fileName(name)).isEqualTo(file);
  }

  @Test void controlCharactersAreEncoded() {
    assertThat(MonitorRecord.fileName("a\0b\nc")).isEqualTo("a%00b%0Ac");
  }

  @Test void longNamesAreCutAndHashedUnder255Characters() {
    String a = "x".repeat(1000) + "a", b = "x".repeat(1000) + "b";
    String fa = MonitorRecord.fileName(a), fb = MonitorRecord.fileName(b);
    assertThat(fa).hasSize(MonitorRecord.CUT + 1 + MonitorRecord.HASH_HEX).startsWith("x".repeat(160) + "~").isNotEqualTo(fb);
    String worst = "/".repeat(1024);                                           // 3 characters per byte
    assertThat(MonitorRecord.fileName(worst).length()).isLessThanOrEqualTo(193);
    assertThat(MonitorRecord.fileName("x".repeat(200))).isEqualTo("x".repeat(200));   // the longest kept whole
  }

  @Test void namesMatchIgnoringAsciiCaseOnly() {
    assertThat(MonitorRecord.key("GuEsT")).isEqualTo("guest");
    assertThat(MonitorRecord.key("É")).isEqualTo("É");
  }

  @ParameterizedTest
  @ValueSource(strings = {"guest", "a name\nwith=lines\nname=x", "..", "é%/~"})
  void recordsRoundTripThroughTheirFile(String name) {
    MonitorRecord r = new MonitorRecord(name, GUEST);
    String text = r.format();
    assertThat(text.lines()).hasSize(2);
    assertThat(MonitorRecord.parse(text)).isEqualTo(r);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "name=guest\n", "name=guest\naddress=10.77.0.3", "name=guest\naddress=10.77.0.3\nx\n",
      "name=gu est\naddress=10.77.0.3\n", "name=%41\naddress=10.77.0.3\n", "name=%4\naddress=10.77.0.3\n",
      "name=\naddress=10.77.0.3\n", "name=guest\naddress=host\n", "address=10.77.0.3\nname=guest\n"})
  void anythingElseIsNotARecord(String text) {
    assertThat(MonitorRecord.parse(text)).isNull();
  }

  @Test void namesAreOneToSmMaxStrLenBytes() {
    assertThatThrownBy(() -> new MonitorRecord("", GUEST)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MonitorRecord("é".repeat(513), GUEST)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new MonitorRecord("x".repeat(1024), GUEST).name()).hasSize(1024);
  }
}
