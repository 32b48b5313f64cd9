package io.tapnfs.netstack.tcp;

import static io.tapnfs.netstack.tcp.TcpTest.connect;
import static io.tapnfs.netstack.tcp.TcpTest.listen;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.StackSettings;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.TwoStacksAccess;
import io.tapnfs.netstack.link.Impairments;
import io.tapnfs.netstack.link.TapDevice;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Segmentation offload: with a link that cuts TCP segments itself (the tap with a vnet header; here
 * the in-memory link, which cuts them as the kernel does and checks the partial checksum on the
 * way), a response leaves in a few large segments, the peer sees MSS-sized ones with good
 * checksums, and slow start counts the pieces, not the ACKs. Manual clock, no sleeps.
 */
class TcpGsoTest {
  static final int GSO = TapDevice.GSO_MAX_FRAME;

  /** A: the client; B: the server that answers {@code size} bytes to a 100-byte request. */
  record Exchange(TwoStacksAccess t, TcpConnection a, TcpConnection b) {}

  static Exchange open(StackSettings s, Impairments imp, int port) throws Exception {
    TwoStacksAccess t = new TwoStacksAccess(imp, imp, s.copy(), s.copy(), GSO);
    TcpListener l = listen(t, port);
    TcpConnection a = connect(t, port);
    t.settle(Duration.ofSeconds(1));
    TcpConnection b = l.poll();
    assertThat(b).isNotNull();
    b.setNoDelay(true);                      // as Grizzly sets it on the RPC server's connections
    t.settle(Duration.ofMillis(1));
    return new Exchange(t, a, b);
  }

  /** One request/response; returns the response as A read it. */
  static byte[] call(Exchange x, byte[] response) throws Exception {
    x.a().write(ByteBuffer.allocate(100), TcpConnection.NONBLOCKING);
    x.t().settle(Duration.ofMillis(1));
    ByteBuffer req = ByteBuffer.allocate(100);
    while (req.hasRemaining() && x.b().read(req, TcpConnection.NONBLOCKING) > 0) { }
    assertThat(req.hasRemaining()).isFalse();
    ByteBuffer out = ByteBuffer.wrap(response);
    ByteBuffer got = ByteBuffer.allocate(response.length);
    for (int i = 0; i < 10_000 && got.hasRemaining(); i++) {
      if (out.hasRemaining()) x.b().write(out, TcpConnection.NONBLOCKING);
      x.t().settle(Duration.ofMillis(1));
      while (got.hasRemaining() && x.a().read(got, TcpConnection.NONBLOCKING) > 0) { }
    }
    assertThat(got.hasRemaining()).as("response complete").isFalse();
    return got.array();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  @ParameterizedTest @ValueSource(ints = {1, 0})
  void aLargeResponseLeavesInAFewSegmentsThatTheLinkCuts(int gso) throws Exception {
    Exchange x = open(new StackSettings().set(Sysctl.TCP_GSO, gso), Impairments.NONE, 7100);
    try (TwoStacksAccess t = x.t()) {
      for (int i = 0; i < 4; i++) call(x, random(64 * 1024, i));          // slow start done, as on a busy connection
      long frames0 = t.b().stats().link("txPackets"), segs0 = t.b().stats().counter("tcp", "outSegs");
      long gso0 = t.link(1).gsoWrites();
      byte[] response = random(64 * 1024, 42);
      assertThat(call(x, response)).isEqualTo(response);
      long frames = t.b().stats().link("txPackets") - frames0;
      long cut = t.link(1).gsoWrites() - gso0;
      long segs = t.b().stats().counter("tcp", "outSegs") - segs0;
      // 65536 bytes are 46 segments of 1448 on the wire either way
      assertThat(segs).isGreaterThanOrEqualTo(46);
      if (gso == 1) {
        // B's ACK of the request, one frame the link cuts into 45 segments of 1448 (as much as a
        // 64 KiB frame holds), and the 376-byte tail
        assertThat(cut).as("frames the link cut").isEqualTo(1);
        assertThat(frames).as("frames handed to the link for 64 KiB").isEqualTo(3);
      } else {
        assertThat(frames).isEqualTo(47);
        assertThat(cut).isZero();
      }
      assertThat(t.a().stats().counter("tcp", "inCsumErrors")).isZero();
      assertThat(t.a().stats().counter("tcp", "inErrs")).isZero();
      assertThat(t.b().stats().counter("tcp", "retransSegs")).isZero();
    }
  }

  @Test void slowStartCountsThePiecesOfACutSegmentNotItsOneAck() throws Exception {
    // 1 ms each way: each round trip shows. Slow start from IW 10 doubles per RTT when each ACK of
    // a cut segment counts as the ACKs of its pieces (then the 256 KiB send buffer limits): 11
    // round trips with the request. At 2 SMSS per ACK (RFC 3465 L, one ACK per cut segment) it
    // grows by two segments per round trip: 23.
    Impairments ms = new Impairments(5, 0, 0, 0, 1_000_000, 0, 0, 0, 0);
    Exchange x = open(new StackSettings(), ms, 7101);
    try (TwoStacksAccess t = x.t()) {
      byte[] response = random(1 << 20, 7);
      long t0 = t.clock().nanos();
      assertThat(call(x, response)).isEqualTo(response);
      long rtts = (t.clock().nanos() - t0) / 2_000_000L;
      assertThat(rtts).as("round trips for 1 MiB from IW").isLessThanOrEqualTo(12);
    }
  }

  @ParameterizedTest @ValueSource(doubles = {0.0, 0.02})
  void bulkTransferThroughACuttingLinkIsExactUnderLossAndReordering(double loss) throws Exception {
    Impairments imp = new Impairments(27, loss, 0.01, 0.02, 200_000, 100_000, 0, 0, 0);
    try (TwoStacksAccess t = new TwoStacksAccess(imp, imp.withSeed(28), new StackSettings(), new StackSettings(), GSO)) {
      TcpListener l = listen(t, 7102);
      TcpConnection a = connect(t, 7102);
      t.settle(Duration.ofSeconds(30));
      TcpConnection b = l.poll();
      String[] sums = TcpTest.transfer(t, a, b, 4 << 20, 77);
      assertThat(sums[0]).isEqualTo(sums[1]);
      assertThat(t.link(0).gsoWrites()).isPositive();
      assertThat(t.b().stats().counter("tcp", "inCsumErrors")).isZero();
      if (loss > 0) assertThat(t.a().stats().counter("tcp", "retransSegs")).isPositive();
    }
  }

  @Test void withoutOffloadEverySegmentFitsTheMtu() throws Exception {
    // the same link, tcp_gso off at the sender: nothing goes to writeGso
    Exchange x = open(new StackSettings().set(Sysctl.TCP_GSO, 0), Impairments.NONE, 7103);
    try (TwoStacksAccess t = x.t()) {
      byte[] response = random(200_000, 3);
      assertThat(Arrays.equals(call(x, response), response)).isTrue();
      assertThat(t.link(1).gsoWrites()).isZero();
    }
  }
}
