package io.tapnfs.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.Nic;
import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.TwoStacksAccess;
import io.tapnfs.netstack.link.Impairments;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two stacks on a manual clock: TCP end to end, deterministic, no sleeps. */
class TcpTest {
  static final Duration SEC = Duration.ofSeconds(1);

  static <T> T on(Stack s, Function<Nic, T> f) throws IOException { return s.call(f); }

  static TcpConnection connect(TwoStacksAccess t, int port) throws IOException {
    return on(t.a(), n -> {
      try {
        return n.tcp().connect(t.a().now(), TwoStacksAccess.B_IP, port);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  static TcpListener listen(TwoStacksAccess t, int port) throws IOException {
    return on(t.b(), n -> {
      try {
        return n.tcp().listen(port, 8);
      } catch (java.net.BindException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test void handshakeAndTeardown() throws IOException {
    try (TwoStacksAccess t = new TwoStacksAccess(Impairments.NONE, Impairments.NONE)) {
      TcpListener l = listen(t, 7000);
      TcpConnection a = connect(t, 7000);
      t.settle(SEC);
      assertThat(a.state()).isEqualTo(TcpState.ESTABLISHED);
      TcpConnection b = l.poll();
      assertThat(b).isNotNull();
      assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
      assertThat(a.sndMss).isEqualTo(1460);

      a.shutdownOutput();
      t.settle(SEC);
      assertThat(a.state()).isEqualTo(TcpState.FIN_WAIT_2);
      assertThat(b.state()).isEqualTo(TcpState.CLOSE_WAIT);
      assertThat(b.read(ByteBuffer.allocate(10), 1)).isEqualTo(-1);     // EOF
      b.shutdownOutput();
      t.settle(Duration.ofMillis(100));
      assertThat(b.state()).isEqualTo(TcpState.CLOSED);
      assertThat(a.state()).isEqualTo(TcpState.TIME_WAIT);
      t.settle(Duration.ofSeconds(61));
      assertThat(a.state()).isEqualTo(TcpState.CLOSED);
      int left = on(t.a(), n -> n.tcp().connectionCount());
      assertThat(left).isZero();
    }
  }

  @Test void connectToAClosedPortIsRefused() throws IOException {
    try (TwoStacksAccess t = new TwoStacksAccess(Impairments.NONE, Impairments.NONE)) {
      TcpConnection a = connect(t, 7001);
      t.settle(SEC);
      assertThat(a.state()).isEqualTo(TcpState.CLOSED);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.awaitEstablished(1))
          .isInstanceOf(ConnectException.class).hasMessageContaining("refused");
    }
  }

  @Test void synRetriesThenTimesOut() throws IOException {
    try (TwoStacksAccess t = new TwoStacksAccess(Impairments.NONE.withLoss(1.0), Impairments.NONE)) {
      TcpConnection a = connect(t, 7002);
      t.settle(Duration.ofSeconds(200));
      assertThat(a.state()).isEqualTo(TcpState.CLOSED);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.awaitEstablished(1))
          .isInstanceOf(java.net.SocketTimeoutException.class);
      long retrans = t.a().stats().counter("tcp", "retransSegs");
      assertThat(retrans).isEqualTo(io.tapnfs.netstack.Sysctl.TCP_SYN_RETRIES.defaultValue());
    }
  }

  /** Both ends' sequence state, for a transfer that stopped moving. */
  static AssertionError stalled(TwoStacksAccess t, TcpConnection a, TcpConnection b, long read, long total) throws IOException {
    return new AssertionError("stalled at " + read + " of " + total + ": a " + a + " una " + a.sndUna + " nxt " + a.sndNxt
        + " max " + a.sndMax + " wnd " + a.sndWnd + " cwnd " + a.cc.cwnd() + " queued " + a.sendQueued() + " rcvNxt " + a.rcvNxt
        + " rtx " + a.rtxTimer.isArmed() + " / b " + b + " una " + b.sndUna + " nxt " + b.sndNxt + " wnd " + b.sndWnd
        + " queued " + b.sendQueued() + " rcvNxt " + b.rcvNxt + " avail " + b.available() + " / retrans "
        + t.a().stats().counter("tcp", "retransSegs") + "/" + t.b().stats().counter("tcp", "retransSegs"));
  }

  /** Seeded random bytes for a connection to send, hashed as they are made. */
  static final class Source {
    final MessageDigest digest;
    final SplittableRandom rnd;
    final byte[] chunk = new byte[32 * 1024];
    final int total;
    int made;
    ByteBuffer pending = ByteBuffer.allocate(0);

    Source(int total, long seed) throws Exception {
      this.total = total;
      this.rnd = new SplittableRandom(seed);
      this.digest = MessageDigest.getInstance("SHA-256");
    }

    /** Writes what {@code c} takes now: one write, or ({@code fill}) until its send buffer is full. */
    void writeTo(TcpConnection c, boolean fill) throws IOException {
      do {
        if (!pending.hasRemaining() && made < total) {
          int n = Math.min(chunk.length, total - made);
          rnd.nextBytes(chunk);
          digest.update(chunk, 0, n);
          pending = ByteBuffer.wrap(chunk.clone(), 0, n);
          made += n;
        }
        if (!pending.hasRemaining() || c.write(pending, TcpConnection.NONBLOCKING) == 0) return;
      } while (fill);
    }
  }

  /** Reads what has arrived, hashing it. */
  static final class Sink {
    final MessageDigest digest;
    final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    long read;

    Sink() throws Exception { digest = MessageDigest.getInstance("SHA-256"); }

    void drain(TcpConnection c) throws IOException {
      while (c.available() > 0) {
        int n = c.read(in.clear(), 1);
        digest.update(in.array(), 0, n);
        read += n;
      }
    }
  }

  static String hex(MessageDigest d) { return java.util.HexFormat.of().formatHex(d.digest()); }

  /** Moves {@code total} bytes A→B, reading as it goes; returns B's SHA-256 and A's. */
  static String[] transfer(TwoStacksAccess t, TcpConnection a, TcpConnection b, int total, long seed) throws Exception {
    Source src = new Source(total, seed);
    Sink sink = new Sink();
    long deadline = t.clock().nanos() + Duration.ofMinutes(5).toNanos();
    while (sink.read < total) {
      src.writeTo(a, false);
      t.settle(Duration.ofMillis(50));
      sink.drain(b);
      if (t.clock().nanos() > deadline) throw stalled(t, a, b, sink.read, total);
    }
    return new String[] {hex(sink.digest), hex(src.digest)};
  }

  @ParameterizedTest @ValueSource(doubles = {0.0, 0.01, 0.05})
  void bulkTransferIsExactUnderLossReorderingAndDuplication(double loss) throws Exception {
    Impairments imp = new Impairments(7, loss, 0.01, 0.02, 200_000, 100_000, 0, 0, 0);
    Impairments back = new Impairments(8, loss, 0.01, 0.02, 200_000, 100_000, 0, 0, 0);
    try (TwoStacksAccess t = new TwoStacksAccess(imp, back)) {
      TcpListener l = listen(t, 7003);
      TcpConnection a = connect(t, 7003);
      t.settle(Duration.ofSeconds(30));
      TcpConnection b = l.poll();
      assertThat(b).isNotNull();
      String[] sums = transfer(t, a, b, 4 << 20, 99);
      assertThat(sums[0]).isEqualTo(sums[1]);
      if (loss > 0) assertThat(t.a().stats().counter("tcp", "retransSegs")).isPositive();
    }
  }

  @Test void zeroWindowIsProbedAndReopenedByAWindowUpdate() throws Exception {
    try (TwoStacksAccess t = new TwoStacksAccess(Impairments.NONE, Impairments.NONE)) {
      TcpListener l = listen(t, 7004);
      TcpConnection a = connect(t, 7004);
      t.settle(SEC);
      TcpConnection b = l.poll();
      // fill B's receive buffer (256 KiB) and A's send buffer without B reading
      ByteBuffer data = ByteBuffer.allocate(400 * 1024);
      while (data.hasRemaining()) {
        try { a.write(data, 1); } catch (java.net.SocketTimeoutException full) { break; }
        t.settle(Duration.ofMillis(50));
      }
      t.settle(Duration.ofSeconds(20));                       // persist probes meanwhile
      int held = b.available();
      assertThat(held).isGreaterThan(200_000);
      assertThat(a.state()).isEqualTo(TcpState.ESTABLISHED);  // probing never gives up
      // the application reads everything: the window update lets A finish
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      int total = 0;
      while (total < data.position()) {
        while (b.available() > 0) total += b.read(in.clear(), 1);
        t.settle(Duration.ofMillis(200));
      }
      assertThat(total).isEqualTo(data.position());
    }
  }

  /** A sends to B, B echoes everything back; both directions loaded at once. */
  static String[] echo(TwoStacksAccess t, TcpConnection a, TcpConnection b, int total, long seed) throws Exception {
    Source src = new Source(total, seed);
    Sink sink = new Sink();
    ByteBuffer echoBuf = ByteBuffer.allocate(48 * 1024).flip();
    long deadline = t.clock().nanos() + Duration.ofMinutes(60).toNanos();
    while (sink.read < total) {
      src.writeTo(a, true);             // A writes all that fits
      t.settle(Duration.ofMillis(5));
      // B: echo what it can
      while (true) {
        if (echoBuf.hasRemaining()) {
          b.write(echoBuf, TcpConnection.NONBLOCKING);
          if (echoBuf.hasRemaining()) break;
        }
        echoBuf.clear();
        int n = b.read(echoBuf, TcpConnection.NONBLOCKING);
        echoBuf.flip();
        if (n <= 0) break;
      }
      t.settle(Duration.ofMillis(5));
      sink.drain(a);
      if (t.clock().nanos() > deadline) throw stalled(t, a, b, sink.read, total);
    }
    return new String[] {hex(sink.digest), hex(src.digest)};
  }

  @ParameterizedTest @ValueSource(doubles = {0.0, 0.01, 0.05})
  void echoBothWaysIsExact(double loss) throws Exception {
    Impairments imp = new Impairments(17, loss, 0.01, 0.02, 200_000, 100_000, 0, 0, 0);
    Impairments back = new Impairments(18, loss, 0.01, 0.02, 200_000, 100_000, 0, 0, 0);
    try (TwoStacksAccess t = new TwoStacksAccess(imp, back)) {
      TcpListener l = listen(t, 7005);
      TcpConnection a = connect(t, 7005);
      t.settle(Duration.ofSeconds(30));
      TcpConnection b = l.poll();
      assertThat(b).isNotNull();
      long t0 = t.clock().nanos();
      String[] sums = echo(t, a, b, 256 << 20, 5);
      System.err.println("echo loss " + loss + ": " + (t.clock().nanos() - t0) / 1_000_000 + " ms; a " + t.a().stats().counter("tcp", "timeouts") + " rto "
          + t.a().stats().counter("tcp", "fastRetrans") + " fr " + t.a().stats().counter("tcp", "retransSegs") + " rs; b "
          + t.b().stats().counter("tcp", "timeouts") + " rto " + t.b().stats().counter("tcp", "fastRetrans") + " fr " + t.b().stats().counter("tcp", "retransSegs") + " rs");
      assertThat(sums[0]).isEqualTo(sums[1]);
    }
  }

  @Test void theReceiveBufferGrowsForAReaderThatKeepsUpAndNotForOneThatDoesNot() throws Exception {
    io.tapnfs.netstack.StackSettings small = new io.tapnfs.netstack.StackSettings()
        .set(io.tapnfs.netstack.Sysctl.TCP_RMEM, 16_384).set(io.tapnfs.netstack.Sysctl.TCP_RMEM_MAX, 1 << 20);
    Impairments slow = new Impairments(3, 0, 0, 0, 2_000_000, 0, 0, 0, 0);    // 2 ms each way: a window-limited path
    try (TwoStacksAccess t = new TwoStacksAccess(slow, slow, small, small)) {
      TcpListener l = listen(t, 7006);
      TcpConnection a = connect(t, 7006);
      t.settle(SEC);
      TcpConnection b = l.poll();
      assertThat(b.receiveBufferSize()).isEqualTo(16_384);
      String[] sums = transfer(t, a, b, 8 << 20, 3);                       // reads everything as it comes
      assertThat(sums[0]).isEqualTo(sums[1]);
      assertThat(b.receiveBufferSize()).isGreaterThan(16_384).isLessThanOrEqualTo(1 << 20);
      // the other way, B never reads: its peer's buffer stays as it was
      ByteBuffer data = ByteBuffer.allocate(200_000);
      for (int i = 0; i < 20 && data.hasRemaining(); i++) {
        b.write(data, TcpConnection.NONBLOCKING);
        t.settle(Duration.ofMillis(50));
      }
      assertThat(a.receiveBufferSize()).isEqualTo(16_384);
      assertThat(a.available()).isBetween(16_384 - 2 * 1460, 16_384);     // full, to the window's rounding
      assertThat(a.memory()).isLessThan(3 * 16_384 + 262_144 + 4096);       // bounded by its buffers, allocated as used
    }
  }
}
