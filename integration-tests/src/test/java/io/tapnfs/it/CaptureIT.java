package io.tapnfs.it;

import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The capture is a real pcap: tshark reads back the frames of a ping, in and out. */
@Timeout(300)
class CaptureIT {
  @Test void tsharkReadsTheCaptureAndRuntimeSwitching() throws IOException {
    try (Lab lab = Lab.create("capture")) {
      Path first = lab.out.resolve("start.pcap");
      Lab.Server server = lab.startServer("--pcap", first.toString());
      lab.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", STACK_IP).ok();

      // switch at run time to a second file, ping again, stop
      Path second = lab.out.resolve("runtime.pcap");
      List<String> cli = List.of("java", "-jar", Lab.jar().toString());
      Lab.run(concat(cli, "capture", "start", second.toString(), "--control", server.control.toString()), Duration.ofSeconds(60)).ok();
      lab.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", STACK_IP).ok();
      Lab.run(concat(cli, "capture", "stop", "--control", server.control.toString()), Duration.ofSeconds(60)).ok();
      assertThat(server.stop()).isZero();

      String t1 = tshark(first);
      assertThat(count(t1, "Echo (ping) request")).isEqualTo(2);
      assertThat(count(t1, "Echo (ping) reply")).isEqualTo(2);
      assertThat(t1).contains("ARP");                 // resolution and announcements are captured too
      String t2 = tshark(second);
      assertThat(count(t2, "Echo (ping) request")).isEqualTo(3);
      assertThat(count(t2, "Echo (ping) reply")).isEqualTo(3);
    }
  }

  static List<String> concat(List<String> a, String... b) {
    List<String> l = new java.util.ArrayList<>(a);
    l.addAll(List.of(b));
    return l;
  }

  static String tshark(Path file) throws IOException {
    return Lab.run(List.of("tshark", "-n", "-r", file.toString()), Duration.ofSeconds(60)).ok().stdout();
  }

  static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
    return n;
  }
}
