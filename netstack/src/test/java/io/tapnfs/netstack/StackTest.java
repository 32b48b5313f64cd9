package io.tapnfs.netstack;

import static io.tapnfs.netstack.TwoStacks.A_IP;
import static io.tapnfs.netstack.TwoStacks.B_IP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.arp.ArpState;
import io.tapnfs.netstack.icmp.IcmpRepr;
import io.tapnfs.netstack.link.Impairments;
import io.tapnfs.netstack.link.MemoryLink;
import io.tapnfs.netstack.socket.Datagram;
import io.tapnfs.netstack.socket.UdpSocket;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StackTest {
  static final Duration SEC = Duration.ofSeconds(1);

  @Test void pingAcrossTheCableResolvesArpBothWays() throws IOException {
    try (TwoStacks t = new TwoStacks(Impairments.NONE, Impairments.NONE)) {
      List<IcmpRepr> replies = new ArrayList<>();
      t.a.call(n -> { n.icmp().onEchoReply(r -> replies.add(new IcmpRepr(r.type(), r.code(), r.rest(), copy(r.data())))); return null; });
      t.a.call(n -> n.icmp().ping(t.clock.nanos(), B_IP, 77, 1, ByteBuffer.wrap("abc".getBytes())));
      t.settle(SEC);
      assertThat(replies).hasSize(1);
      assertThat(replies.get(0).echoId()).isEqualTo(77);
      assertThat(replies.get(0).data()).isEqualTo(ByteBuffer.wrap("abc".getBytes()));
      ArpState aSeesB = t.a.call(n -> n.arp().state(B_IP));
      ArpState bSeesA = t.b.call(n -> n.arp().state(A_IP));
      assertThat(aSeesB).isEqualTo(ArpState.REACHABLE);
      // B learned A from its request (STALE), used it for the reply and confirmed it with one
      // unicast probe.
      assertThat(bSeesA).isEqualTo(ArpState.REACHABLE);
      assertThat(t.b.stats().counter("arp", "outRequests")).isEqualTo(1);
      StackStats s = t.b.stats();
      assertThat(s.counter("icmp", "inEchos")).isEqualTo(1);
      assertThat(s.link("rxPackets")).isGreaterThanOrEqualTo(2);
    }
  }

  @Test void udpSocketsExchangeDatagrams() throws IOException {
    try (TwoStacks t = new TwoStacks(Impairments.NONE, Impairments.NONE);
         UdpSocket server = t.b.openUdp(7);
         UdpSocket client = t.a.openUdp(0)) {
      client.send(B_IP, 7, ByteBuffer.wrap("ping".getBytes()));
      t.settle(SEC);
      Datagram d = server.poll();
      assertThat(d).isNotNull();
      assertThat(d.source()).isEqualTo(A_IP);
      assertThat(d.sourcePort()).isEqualTo(client.localPort());
      server.send(d.source(), d.sourcePort(), d.payload());
      t.settle(SEC);
      assertThat(text(client.poll())).isEqualTo("ping");
      assertThat(t.b.stats().sockets()).extracting(StackStats.SocketRow::local).contains(B_IP + ":7");
    }
  }

  /**
   * 64 KiB datagrams (45 fragments each) over a cable that loses, duplicates, reorders and
   * corrupts: every datagram that arrives is intact, nothing is delivered twice or damaged, and
   * the drops are counted where they happened.
   */
  @ParameterizedTest @ValueSource(doubles = {0.0, 0.01, 0.05})
  void fragmentedDatagramsSurviveImpairmentIntactOrNotAtAll(double loss) throws Exception {
    Impairments imp = new Impairments(42, loss, 0.02, 0.05, 100_000, 50_000, 0.001, 0, 0);
    try (TwoStacks t = new TwoStacks(imp, Impairments.NONE.withLoss(0)) ;
         UdpSocket server = t.b.openUdp(9000);
         UdpSocket client = t.a.openUdp(0)) {
      SplittableRandom rnd = new SplittableRandom(5);
      Map<String, Integer> sent = new HashMap<>();
      int n = 40;
      int got = 0;
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i <= n; i++) {
        if (i < n) {
          byte[] data = new byte[60_000 + rnd.nextInt(5000)];
          rnd.nextBytes(data);
          sent.put(sha(data), i);
          client.send(B_IP, 9000, ByteBuffer.wrap(data));
        }
        // the last round lets reassembly time out whatever is incomplete
        t.settle(i < n ? Duration.ofMillis(200) : Duration.ofSeconds(40));
        Datagram d;
        while ((d = server.poll()) != null) {     // read as we go: the receive queue is bounded
          byte[] b = new byte[d.payload().remaining()];
          d.payload().get(b);
          String h = sha(b);
          assertThat(sent).as("datagram of %d bytes arrived damaged", b.length).containsKey(h);
          assertThat(seen.add(h)).as("delivered twice").isTrue();
          got++;
        }
      }
      long corrupted = t.links[0].txStats().corrupted();
      if (loss == 0) assertThat(got).isGreaterThanOrEqualTo((int) (n - corrupted)).isGreaterThan(n / 2);
      else assertThat(got).isBetween(1, n - 1);     // at 1 % of 45 fragments, ~36 % of datagrams lose one
      StackStats s = t.b.stats();
      // every reassembled datagram was delivered, or failed its UDP checksum (a corrupted bit)
      assertThat(s.counter("ipv4-reassembly", "reasmOks")).isEqualTo(got + s.counter("udp", "inCsumErrors"));
      long held = t.b.call(n2 -> n2.ipv4().reassembler().memoryUsed());
      assertThat(held).isZero();
    }
  }

  @Test void arpRetriesThroughALossyCable() throws IOException {
    // Every other frame from A is lost: the first ARP request vanishes, the retry gets through.
    try (TwoStacks t = new TwoStacks(Impairments.NONE.withLoss(0.5), Impairments.NONE)) {
      for (int i = 0; i < 10; i++) t.a.call(n -> n.icmp().ping(t.clock.nanos(), B_IP, 1, 1, ByteBuffer.allocate(8)));
      t.settle(Duration.ofSeconds(10));
      ArpState st = t.a.call(n -> n.arp().state(B_IP));
      assertThat(st).isIn(ArpState.REACHABLE, ArpState.STALE);
    }
  }

  @Test void unreachableNeighbourFailsAfterRetriesAndCounts() throws IOException {
    // B must not announce itself either: its gratuitous ARP would teach A its MAC (RFC 826 merge).
    StackSettings quiet = new StackSettings().set(Sysctl.ARP_ANNOUNCE_COUNT, 0);
    try (TwoStacks t = new TwoStacks(Impairments.NONE.withLoss(1.0), Impairments.NONE, new StackSettings(), quiet)) {
      t.a.call(n -> n.icmp().ping(t.clock.nanos(), B_IP, 1, 1, ByteBuffer.allocate(8)));
      t.settle(Duration.ofSeconds(30));
      ArpState gone = t.a.call(n -> n.arp().state(B_IP));
      assertThat(gone).isNull();
      assertThat(t.a.stats().drop(DropReason.ARP_RESOLUTION_FAILED)).isEqualTo(1);
      assertThat(t.a.stats().counter("arp", "outRequests")).isEqualTo(3);
    }
  }

  // ---------------------------------------------------------------- threaded

  @Test @Timeout(20)
  void threadedStackServesSocketsAndClosesPromptly() throws Exception {
    MemoryLink[] l = MemoryLink.pair("ta", "tb", 1514, Clock.SYSTEM, Impairments.NONE, Impairments.NONE);
    Stack a = Stack.start(StackConfig.of(io.tapnfs.netstack.ethernet.MacAddress.parse("02:00:00:00:0a:01"),
        new io.tapnfs.netstack.ipv4.Ipv4Cidr(A_IP, 24)), l[0], Clock.SYSTEM);
    Stack b = Stack.start(StackConfig.of(io.tapnfs.netstack.ethernet.MacAddress.parse("02:00:00:00:0b:02"),
        new io.tapnfs.netstack.ipv4.Ipv4Cidr(B_IP, 24)), l[1], Clock.SYSTEM);
    try (UdpSocket server = b.openUdp(7); UdpSocket client = a.openUdp(0)) {
      assertThatThrownBy(() -> server.receive(Duration.ofMillis(50))).isInstanceOf(SocketTimeoutException.class);
      for (int i = 0; i < 100; i++) {
        client.send(B_IP, 7, ByteBuffer.wrap(("m" + i).getBytes()));
        Datagram d = server.receive(Duration.ofSeconds(5));
        assertThat(text(d)).isEqualTo("m" + i);
        server.send(d.source(), d.sourcePort(), d.payload());
        assertThat(text(client.receive(Duration.ofSeconds(5)))).isEqualTo("m" + i);
      }
      assertThatThrownBy(() -> b.openUdp(7)).isInstanceOf(java.net.BindException.class);
      // a reader blocked forever is released by close()
      Thread reader = new Thread(() -> {
        try {
          server.receive(null);
        } catch (SocketException expected) {
          // closed
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
      reader.start();
      while (reader.getState() != Thread.State.WAITING) Thread.onSpinWait();   // blocked in receive
      server.close();
      reader.join(5000);
      assertThat(reader.isAlive()).isFalse();
    } finally {
      a.close();
      b.close();
    }
    assertThat(a.isRunning()).isFalse();
    assertThatThrownBy(() -> a.execute(() -> { })).isInstanceOf(IllegalStateException.class);
  }

  static ByteBuffer copy(ByteBuffer b) {
    ByteBuffer c = ByteBuffer.allocate(b.remaining());
    c.put(b.duplicate()).flip();
    return c;
  }

  static String text(Datagram d) {
    assertThat(d).isNotNull();
    byte[] b = new byte[d.payload().remaining()];
    d.payload().duplicate().get(b);
    return new String(b);
  }

  static String sha(byte[] b) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
