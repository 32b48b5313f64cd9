package io.tapnfs.it;

import static io.tapnfs.it.Lab.STACK_IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Grizzly, unmodified, serving TCP and UDP echo on the stack through its SelectorProvider
 * ({@link GrizzlyEchoMain}); the Linux kernel in the lab's namespace is the client (python3, run
 * inside the namespace): bulk TCP compared by SHA-256, and UDP datagrams up to 65,507 bytes, so
 * IP fragmentation both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class GrizzlyEchoIT {
  static final int PORT = 7007;

  /**
   * Opens C connections at once; each sends N random bytes while reading the echo and prints its
   * two SHA-256 digests and the count.
   */
  static final String TCP_CLIENT = """
      import hashlib, os, socket, sys, threading
      host, port, n, conns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
      lines = []
      def echo():
          data = os.urandom(n)
          s = socket.create_connection((host, port), timeout=60)
          sender = threading.Thread(target=s.sendall, args=(data,))
          sender.start()
          h, got = hashlib.sha256(), 0
          while got < n:
              b = s.recv(1 << 16)
              if not b:
                  break
              h.update(b)
              got += len(b)
          sender.join()
          s.close()
          lines.append("%s %s %d" % (hashlib.sha256(data).hexdigest(), h.hexdigest(), got))
      ts = [threading.Thread(target=echo) for _ in range(conns)]
      for t in ts:
          t.start()
      for t in ts:
          t.join()
      print("\\n".join(lines))
      """;

  /** One datagram in flight at a time; prints "ok <count>" or the first mismatch. */
  static final String UDP_CLIENT = """
      import os, socket, sys
      host, port = sys.argv[1], int(sys.argv[2])
      sizes = [1, 100, 1472, 1473, 2000, 2953, 4000, 8000, 16000, 30000, 65507] * 5
      s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
      s.settimeout(5)
      for i, n in enumerate(sizes):
          d = os.urandom(n)
          s.sendto(d, (host, port))
          back, peer = s.recvfrom(65535)
          if back != d or peer != (host, port):
              print("mismatch at", i, "size", n, "got", len(back), "from", peer)
              sys.exit(1)
      print("ok", len(sizes))
      """;

  Lab lab;
  Lab.Server server;
  Path tcpClient, udpClient;

  @BeforeAll void start() throws IOException {
    lab = Lab.create("grizzly");
    tcpClient = Files.writeString(lab.out.resolve("tcp_echo_client.py"), TCP_CLIENT);
    udpClient = Files.writeString(lab.out.resolve("udp_echo_client.py"), UDP_CLIENT);
    server = lab.startServer(List.of("ip", "netns", "exec", lab.ns, "java", "-cp", System.getProperty("java.class.path"),
        GrizzlyEchoMain.class.getName(), "--tap", Lab.STACK_TAP, "--ip", STACK_IP + "/24", "--port", String.valueOf(PORT)));
  }

  @AfterAll void stop() { if (lab != null) lab.close(); }

  @Test void tcpEchoOfEightMebibytesIsExact() throws IOException {
    echo(8 << 20, 1);
  }

  @Test void eightConcurrentConnectionsOfOneMebibyte() throws IOException {
    echo(1 << 20, 8);
  }

  @Test void tcpConnectionsComeAndGo() throws IOException {
    for (int i = 0; i < 20; i++) echo(1000, 1);
  }

  /** {@code conns} connections at once, each echoing {@code n} bytes, all checked. */
  private void echo(int n, int conns) throws IOException {
    String out = lab.exec(Duration.ofSeconds(180), "python3", tcpClient.toString(), STACK_IP, String.valueOf(PORT),
        String.valueOf(n), String.valueOf(conns)).ok().stdout().trim();
    List<String> lines = out.lines().toList();
    assertThat(lines).as("client output: %s%nserver log:%n%s", out, server.log()).hasSize(conns);
    for (String line : lines) {
      String[] f = line.split(" ");
      assertThat(f).as(line).hasSize(3);
      assertThat(f[2]).as("bytes echoed: %s", line).isEqualTo(String.valueOf(n));
      assertThat(f[1]).as("sha256 of the echo: %s", line).isEqualTo(f[0]);
    }
  }

  @Test void udpEchoIncludingFragmentedDatagrams() throws IOException {
    Lab.Result r = lab.exec(Duration.ofSeconds(120), "python3", udpClient.toString(), STACK_IP, String.valueOf(PORT));
    assertThat(r.stdout().trim()).as("stderr: %s%nserver log:%n%s", r.stderr(), server.log()).isEqualTo("ok 55");
    assertThat(r.exit()).isZero();
  }
}
