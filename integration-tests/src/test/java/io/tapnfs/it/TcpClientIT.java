package io.tapnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * tapnfs as a TCP client of a kernel server: the stack (driven by {@link StackTool} on the lab's
 * tap) connects to a kernel-socket echo server on the bridge and sends 256 MiB while it reads the echo
 * back, so 256 MiB cross each way at once; both SHA-256 sums must match. Needs root (the lab).
 */
class TcpClientIT {
  @Test @Timeout(600)
  void stackClientEchoes256MebibytesThroughAKernelServer() throws Exception {
    try (Lab lab = Lab.create("tcpclient")) {
      lab.spawnJava("kernel-echo", "io.tapnfs.it.KernelEchoServer", "5001");
      lab.awaitTcpListener(5001, Duration.ofSeconds(20));
      java.util.List<String> cmd = lab.javaMain("io.tapnfs.it.StackTool", Lab.STACK_TAP, Lab.STACK_IP + "/24",
          "echo-client", Lab.HOST_IP, "5001", Long.toString(256L << 20));
      cmd.add(5, "-Dtapnfs.pcap=" + lab.out.resolve("client.pcap"));          // after "ip netns exec NS java"
      Lab.Server client = lab.startServer(cmd);
      assertThat(client.process.waitFor(8, TimeUnit.MINUTES)).as("client finished").isTrue();
      String log = client.log();
      Matcher m = Pattern.compile("RESULT sent=(\\d+) received=(\\d+) seconds=\\S+ sentSha=(\\w+) receivedSha=(\\w+)").matcher(log);
      assertThat(m.find()).as("result line in:%n%s", log).isTrue();
      assertThat(Long.parseLong(m.group(2))).isEqualTo(256L << 20);
      assertThat(m.group(4)).isEqualTo(m.group(3));
      assertThat(log).doesNotContain("internal error").doesNotContain("Exception");
    }
  }
}
