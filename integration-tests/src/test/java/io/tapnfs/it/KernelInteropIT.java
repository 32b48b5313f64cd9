package io.tapnfs.it;

import static io.tapnfs.it.Lab.HOST_IP;
import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The Linux kernel, in a namespace of the test's own, talks to tapnfs over the bridge: ping
 * (small, fragmented both ways, a 1000-packet flood), arping, UDP echo with socat, port
 * unreachable, TCP echo of 256 MiB, discard, chargen, a reconnect into our TIME-WAIT, and the
 * counters of {@code tapnfs stat} moving accordingly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class KernelInteropIT {
  Lab lab;
  Lab.Server server;

  @BeforeAll void start() throws IOException {
    lab = Lab.create("kernel");
    server = lab.startServer("--diag-services", "--pcap", lab.out.resolve("kernel.pcap").toString());
  }

  @AfterAll void stop() throws IOException {
    try {
      // an exception inside the stack is logged and survived, but it is a bug: none may happen
      if (server != null) assertThat(server.log()).doesNotContain("internal error");
    } finally {
      if (lab != null) lab.close();
    }
  }

  String stat() throws IOException {
    return Lab.run(java.util.List.of("java", "-jar", Lab.jar().toString(), "stat", "--control", server.control.toString()),
        Duration.ofSeconds(60)).ok().stdout();
  }

  static long counter(String stat, String name) {
    Matcher m = Pattern.compile("(?m)^\\s+" + Pattern.quote(name) + " (\\d+)$").matcher(stat);
    assertThat(m.find()).as("counter %s in:%n%s", name, stat).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test void pingSmall() throws IOException {
    String out = lab.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", STACK_IP).ok().stdout();
    assertThat(out).contains("3 packets transmitted, 3 received, 0% packet loss");
  }

  @Test void pingFragmentedBothWays() throws IOException {
    long before = counter(stat(), "outFragCreates");
    String out = lab.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "-s", "8000", STACK_IP).ok().stdout();
    assertThat(out).contains("3 packets transmitted, 3 received, 0% packet loss");
    assertThat(out).contains("8008 bytes from " + STACK_IP);
    String s = stat();
    assertThat(counter(s, "outFragCreates") - before).isGreaterThanOrEqualTo(3 * 6);   // replies fragmented
    assertThat(counter(s, "reasmOks")).isGreaterThanOrEqualTo(3);                      // requests reassembled
  }

  @Test void floodOfAThousandPingsLosesNothing() throws IOException {
    Lab.Result r = lab.exec(Duration.ofSeconds(120), "ping", "-f", "-c", "1000", "-W", "1", STACK_IP).ok();
    assertThat(r.stdout()).contains("1000 packets transmitted, 1000 received, 0% packet loss");
  }

  @Test void arping() throws IOException {
    String out = lab.exec("arping", "-c", "3", "-w", "5", "-I", Lab.BRIDGE, STACK_IP).ok().stdout();
    assertThat(out).containsPattern("(?i)3 (packets )?received|Received 3 response");
  }

  @Test void udpEchoWithSocat() throws IOException {
    String out = lab.sh(Duration.ofSeconds(30),
        "echo hello-tapnfs | socat -t 2 - UDP4:" + STACK_IP + ":7").ok().stdout();
    assertThat(out).isEqualTo("hello-tapnfs\n");
  }

  @Test void udpEchoOfALargeDatagramIsFragmentedAndReassembled() throws IOException {
    Path f = lab.out.resolve("big.bin");
    byte[] data = new byte[6000];
    new java.util.Random(7).nextBytes(data);
    Files.write(f, data);
    Path back = lab.out.resolve("big.back");
    lab.sh(Duration.ofSeconds(30), "socat -t 3 -b 65536 - UDP4:" + STACK_IP + ":7 < " + f + " > " + back).ok();
    assertThat(Files.readAllBytes(back)).isEqualTo(data);
  }

  @Test void closedUdpPortAnswersPortUnreachable() throws IOException {
    long before = counter(stat(), "outDestUnreachs");
    // The kernel reports the ICMP error to the connected UDP socket: socat sees "Connection refused".
    Lab.Result r = lab.sh(Duration.ofSeconds(30),
        "for i in 1 2 3; do echo x; sleep 0.3; done | socat -t 2 - UDP4:" + STACK_IP + ":9999");
    assertThat(r.stderr()).contains("Connection refused");
    assertThat(counter(stat(), "outDestUnreachs")).isGreaterThan(before);
  }

  @Test void tcpConnectToAClosedPortIsRefused() throws IOException {
    long before = counter(stat(), "outRsts");
    // Without the reset the kernel would retry its SYN until connect-timeout says "timed out".
    Lab.Result r = lab.sh(Duration.ofSeconds(30), "socat -T 5 - TCP4:" + STACK_IP + ":2049,connect-timeout=5 </dev/null");
    assertThat(r.exit()).isNotZero();
    assertThat(r.stderr()).contains("Connection refused");
    assertThat(counter(stat(), "outRsts")).isGreaterThan(before);
  }

  @Test void tcpEchoOf256MebibytesIsExact() throws IOException {
    Path f = lab.out.resolve("tcp256m.bin");
    Path back = lab.out.resolve("tcp256m.back");
    lab.sh(Duration.ofSeconds(60), "head -c 268435456 /dev/urandom > " + f).ok();
    // socat half-closes after sending the file; the echo service then closes and socat ends.
    lab.sh(Duration.ofSeconds(600), "socat -T 60 -b 65536 TCP4:" + STACK_IP + ":7 - < " + f + " > " + back).ok();
    String sums = lab.sh(Duration.ofSeconds(60), "sha256sum " + f + " " + back + " | cut -d' ' -f1; rm -f " + f + " " + back).ok().stdout();
    String[] l = sums.strip().split("\n");
    assertThat(l).hasSize(2);
    assertThat(l[1]).isEqualTo(l[0]);
  }

  @Test void aReconnectFromTheSamePortTakesOverOurTimeWait() throws IOException {
    // daytime closes first, so tapnfs holds the 4-tuple in TIME-WAIT; the kernel reconnects from
    // the same source port at once, as the Linux NFS client does after a reset (RFC 6191)
    String cmd = "socat -T 10 -u TCP4:" + STACK_IP + ":13,sourceport=5555,reuseaddr -";
    assertThat(lab.sh(Duration.ofSeconds(30), cmd).ok().stdout()).contains("GMT");
    assertThat(stat()).containsPattern("TIME-WAIT .*:13 +" + HOST_IP + ":5555");
    assertThat(lab.sh(Duration.ofSeconds(30), cmd).ok().stdout()).contains("GMT");
  }

  @Test void tcpDiscardAndChargen() throws IOException {
    lab.sh(Duration.ofSeconds(120), "head -c 8388608 /dev/zero | socat -T 30 -u - TCP4:" + STACK_IP + ":9").ok();
    String gen = lab.sh(Duration.ofSeconds(60), "socat -T 10 -u TCP4:" + STACK_IP + ":19 - | head -c 740").stdout();
    assertThat(gen).hasSize(740);
    assertThat(gen.split("\r\n")[0]).hasSize(72).startsWith(" !\"#$%&");
  }

  @Test void statShowsInterfaceArpRoutesAndSockets() throws IOException {
    lab.exec("ping", "-c", "1", "-W", "2", STACK_IP).ok();
    String s = stat();
    assertThat(s).contains("tn0: mtu 1500").contains("inet " + STACK_IP + "/24");
    assertThat(s).containsPattern("RX: bytes [1-9]\\d* packets [1-9]");
    assertThat(s).contains(HOST_IP + " lladdr");                 // the kernel is in our ARP table
    assertThat(s).contains("10.77.0.0/24");                      // the connected route
    assertThat(s).contains(STACK_IP + ":7");                     // the echo socket
    assertThat(s).containsPattern("tcp\\s+LISTEN .*" + Pattern.quote(STACK_IP + ":9"));
    assertThat(counter(s, "inEchos")).isGreaterThan(0);
  }
}
