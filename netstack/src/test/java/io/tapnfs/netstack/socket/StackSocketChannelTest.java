package io.tapnfs.netstack.socket;

import static io.tapnfs.netstack.socket.StackSelectorTest.A_IP;
import static io.tapnfs.netstack.socket.StackSelectorTest.B_IP;
import static io.tapnfs.netstack.socket.StackSelectorTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.socket.StackSelectorTest.Stacks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP channels and their socket adapters on two threaded stacks. */
@Timeout(60)
@SuppressWarnings("try")   // tests close resources explicitly, and some only to have them closed
class StackSocketChannelTest {
  Stacks t;

  @BeforeEach void start() { t = new Stacks(); }

  @AfterEach void stop() throws IOException { t.close(); }

  @Test void blockingChannelsCarryAMebibyteBothWaysExactly() throws Exception {
    byte[] data = new byte[1 << 20];
    new Random(1).nextBytes(data);
    try (ServerSocketChannel server = t.listenOnB()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        // B echoes on its own thread
        CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
          try {
            ByteBuffer b = ByteBuffer.allocate(10_000);
            while (accepted.read(b) >= 0) {
              b.flip();
              accepted.write(b);
              b.clear();
            }
            accepted.shutdownOutput();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> readAll(client));
        ByteBuffer src = ByteBuffer.wrap(data);
        while (src.hasRemaining()) {
          int n = Math.min(src.remaining(), 65_000);
          ByteBuffer slice = src.slice().limit(n);
          assertThat(client.write(slice)).isEqualTo(n);          // blocking writes take everything
          src.position(src.position() + n);
        }
        client.shutdownOutput();
        assertThatThrownBy(() -> client.write(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
        assertThat(sha(back.get(30, TimeUnit.SECONDS))).isEqualTo(sha(data));
        echo.get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test void scatterAndGather() throws IOException {
    try (ServerSocketChannel server = t.listenOnB()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        ByteBuffer[] out = {ByteBuffer.wrap("abc".getBytes()), ByteBuffer.allocate(0), ByteBuffer.wrap("defgh".getBytes())};
        assertThat(client.write(out)).isEqualTo(8);
        assertThat(out[2].hasRemaining()).isFalse();
        ByteBuffer[] in = {ByteBuffer.allocate(2), ByteBuffer.allocate(2), ByteBuffer.allocate(10)};
        long got = 0;
        while (got < 8) got += accepted.read(in);
        assertThat(got).isEqualTo(8);
        assertThat(new String(in[0].array())).isEqualTo("ab");
        assertThat(new String(in[1].array())).isEqualTo("cd");
        assertThat(new String(in[2].array(), 0, in[2].position())).isEqualTo("efgh");
        // non-blocking: nothing waits, so 0
        accepted.configureBlocking(false);
        in[2].clear();
        assertThat(accepted.read(new ByteBuffer[] {in[2]})).isZero();
        assertThat(accepted.read(in[2])).isZero();
      }
    }
  }

  @Test void nonBlockingWriteReturnsZeroWhenFullAndWritabilityComesBack() throws IOException {
    try (ServerSocketChannel server = t.listenOnB(); java.nio.channels.Selector sel = t.pa.openSelector()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        client.configureBlocking(false);
        int sndbuf = client.getOption(StandardSocketOptions.SO_SNDBUF);
        int rcvbuf = accepted.getOption(StandardSocketOptions.SO_RCVBUF);
        // nobody reads at B: at most B's receive buffer plus A's send buffer fit, then 0
        ByteBuffer big = ByteBuffer.allocate(4 * (sndbuf + rcvbuf));
        long total = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int n;
        do {
          n = client.write(big);
          total += n;
        } while (n > 0 && System.nanoTime() < deadline);
        assertThat(n).isZero();
        assertThat(total).isGreaterThan(0).isLessThanOrEqualTo((long) sndbuf + rcvbuf);
        // B reads: A's key selects OP_WRITE again
        java.nio.channels.SelectionKey k = client.register(sel, java.nio.channels.SelectionKey.OP_WRITE);
        ByteBuffer sink = ByteBuffer.allocate(65_536);
        long read = 0;
        while (read < total) {
          sink.clear();
          read += accepted.read(sink);
        }
        assertThat(sel.select(10_000)).isEqualTo(1);
        assertThat(k.isWritable()).isTrue();
        assertThat(client.write(ByteBuffer.allocate(10))).isEqualTo(10);
      }
    }
  }

  @Test void connectionRefusedFailsFinishConnectAndClosesTheChannel() throws IOException {
    try (SocketChannel c = t.pa.openSocketChannel()) {
      c.configureBlocking(false);
      assertThat(c.connect(Stacks.at(B_IP, 4444))).isFalse();
      await("the RST", () -> ((StackChannel) c).readyOps() == java.nio.channels.SelectionKey.OP_CONNECT);
      assertThatThrownBy(c::finishConnect).isInstanceOf(ConnectException.class);
      assertThat(c.isOpen()).isFalse();
    }
    try (SocketChannel c = t.pa.openSocketChannel()) {
      assertThatThrownBy(() -> c.connect(Stacks.at(B_IP, 4444))).isInstanceOf(ConnectException.class);
    }
  }

  @Test void stateChecks() throws IOException {
    try (ServerSocketChannel server = t.pb.openServerSocketChannel(); SocketChannel c = t.pa.openSocketChannel()) {
      assertThatThrownBy(server::accept).isInstanceOf(NotYetBoundException.class);
      assertThatThrownBy(() -> c.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
      assertThatThrownBy(() -> c.write(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
      assertThatThrownBy(c::finishConnect).isInstanceOf(java.nio.channels.NoConnectionPendingException.class);
      assertThat(c.getRemoteAddress()).isNull();
      assertThat(c.getLocalAddress()).isNull();
      server.bind(new InetSocketAddress(B_IP.toInet(), 0), 4);
      assertThat(((InetSocketAddress) server.getLocalAddress()).getPort()).isPositive();
      assertThatThrownBy(() -> server.bind(null)).isInstanceOf(java.nio.channels.AlreadyBoundException.class);
      c.connect(server.getLocalAddress());
      assertThatThrownBy(() -> c.connect(server.getLocalAddress())).isInstanceOf(AlreadyConnectedException.class);
      assertThat(c.getRemoteAddress()).isEqualTo(server.getLocalAddress());
      assertThat(((InetSocketAddress) c.getLocalAddress()).getAddress()).isEqualTo(A_IP.toInet());
      assertThatThrownBy(() -> c.read(ByteBuffer.allocate(1).asReadOnlyBuffer())).isInstanceOf(IllegalArgumentException.class);
      c.close();
      assertThatThrownBy(() -> c.read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
      assertThatThrownBy(c::getLocalAddress).isInstanceOf(ClosedChannelException.class);
    }
  }

  @Test void bindingOnlyToTheStacksAddressOrTheWildcard() throws IOException {
    try (ServerSocketChannel s1 = t.pb.openServerSocketChannel(); ServerSocketChannel s2 = t.pb.openServerSocketChannel();
         ServerSocketChannel s3 = t.pb.openServerSocketChannel(); SocketChannel c = t.pa.openSocketChannel()) {
      assertThatThrownBy(() -> s1.bind(new InetSocketAddress(A_IP.toInet(), 0))).isInstanceOf(BindException.class);
      s1.bind(new InetSocketAddress(B_IP.toInet(), 0));
      int port = ((InetSocketAddress) s1.getLocalAddress()).getPort();
      assertThatThrownBy(() -> s2.bind(new InetSocketAddress(port))).isInstanceOf(BindException.class);   // in use
      s3.bind(new InetSocketAddress("::", 0));
      assertThat(((InetSocketAddress) s3.getLocalAddress()).getAddress().isAnyLocalAddress()).isTrue();
      c.bind(new InetSocketAddress(A_IP.toInet(), 40123));             // a client on a fixed local port
      assertThat(c.socket().isBound()).isTrue();
      c.connect(new InetSocketAddress(B_IP.toInet(), port));
      assertThat(((InetSocketAddress) c.getLocalAddress()).getPort()).isEqualTo(40123);
      assertThat(s1.accept().socket().getPort()).isEqualTo(40123);
    }
  }

  @Test void asynchronousCloseEndsABlockedRead() throws Exception {
    try (ServerSocketChannel server = t.listenOnB()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        CompletableFuture<Integer> r = CompletableFuture.supplyAsync(() -> {
          try {
            return accepted.read(ByteBuffer.allocate(10));
          } catch (IOException e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        });
        await("the read to block", () -> blockedOn(((StackChannel) accepted).signal()));
        accepted.close();
        assertThatThrownBy(() -> r.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(AsynchronousCloseException.class);
        // nothing was unread: the close was graceful, the client sees EOF
        assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(-1);
      }
    }
  }

  @Test void interruptClosesTheChannelOfABlockedRead() throws Exception {
    try (ServerSocketChannel server = t.listenOnB()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
          try {
            accepted.read(ByteBuffer.allocate(10));
          } catch (Throwable e) {
            failure.set(e);
          }
        });
        reader.start();
        await("the read to block", () -> blockedOn(((StackChannel) accepted).signal()));
        reader.interrupt();
        reader.join(10_000);
        assertThat(failure.get()).isInstanceOf(ClosedByInterruptException.class);
        assertThat(accepted.isOpen()).isFalse();
      }
    }
  }

  @Test void closeWithUnreadDataResetsThePeer() throws Exception {
    try (ServerSocketChannel server = t.listenOnB()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        client.write(ByteBuffer.wrap(new byte[100]));
        await("data at B", () -> (((StackChannel) accepted).readyOps() & java.nio.channels.SelectionKey.OP_READ) != 0);
        accepted.close();
        client.configureBlocking(false);
        await("the reset", () -> ((StackChannel) client).readyOps() != java.nio.channels.SelectionKey.OP_WRITE);
        assertThatThrownBy(() -> client.read(ByteBuffer.allocate(1))).isInstanceOf(SocketException.class)
            .hasMessageContaining("reset");
      }
    }
  }

  @Test void socketAdapterStreamsOptionsAndTimeout() throws Exception {
    try (ServerSocketChannel server = t.listenOnB()) {
      ServerSocket ss = server.socket();
      assertThat(ss.isBound()).isTrue();
      assertThat(ss.getLocalPort()).isPositive();
      assertThat(ss.getReceiveBufferSize()).isPositive();
      ss.setReuseAddress(true);
      assertThat(ss.getReuseAddress()).isTrue();
      ss.setSoTimeout(100);
      assertThatThrownBy(ss::accept).isInstanceOf(SocketTimeoutException.class);
      ss.setSoTimeout(0);

      Socket s = t.pa.openSocketChannel().socket();
      s.connect(Stacks.at(B_IP, ss.getLocalPort()), 5000);
      try (Socket peer = ss.accept()) {
        assertThat(s.isConnected()).isTrue();
        assertThat(s.getInetAddress()).isEqualTo(B_IP.toInet());
        assertThat(s.getPort()).isEqualTo(ss.getLocalPort());
        assertThat(s.getLocalAddress()).isEqualTo(A_IP.toInet());
        assertThat(peer.getRemoteSocketAddress()).isEqualTo(s.getLocalSocketAddress());
        assertThat(s.getReceiveBufferSize()).isGreaterThanOrEqualTo(4096);
        assertThat(s.getSendBufferSize()).isGreaterThanOrEqualTo(4096);
        s.setReceiveBufferSize(1 << 20);                        // a hint; accepted without error
        s.setSendBufferSize(1 << 20);
        s.setTcpNoDelay(true);
        assertThat(s.getTcpNoDelay()).isTrue();
        s.setKeepAlive(true);
        assertThat(s.getKeepAlive()).isTrue();
        s.setReuseAddress(true);
        assertThat(s.getReuseAddress()).isTrue();
        s.setSoLinger(true, 5);
        assertThat(s.getSoLinger()).isEqualTo(5);
        s.setSoLinger(false, 0);
        assertThat(s.getSoLinger()).isEqualTo(-1);
        s.setSoTimeout(100);
        assertThat(s.getSoTimeout()).isEqualTo(100);
        InputStream in = s.getInputStream();
        assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        assertThat(s.isClosed()).isFalse();                     // a timeout does not close
        s.setSoTimeout(10_000);
        OutputStream out = peer.getOutputStream();
        out.write("hello".getBytes());
        byte[] b = new byte[5];
        int got = 0;
        while (got < 5) got += in.read(b, got, 5 - got);
        assertThat(new String(b)).isEqualTo("hello");
        assertThat(in.available()).isZero();
        peer.shutdownOutput();
        assertThat(peer.isOutputShutdown()).isTrue();
        assertThat(in.read()).isEqualTo(-1);
        s.close();
        assertThat(s.isClosed()).isTrue();
        assertThatThrownBy(() -> s.setTcpNoDelay(false)).isInstanceOf(SocketException.class);
        assertThatThrownBy(() -> s.sendUrgentData(1)).isInstanceOf(SocketException.class);
      }
    }
  }

  @Test void blockingAcceptWaitsForAConnection() throws Exception {
    try (ServerSocketChannel server = t.listenOnB()) {
      CompletableFuture<SocketChannel> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return server.accept();
        } catch (IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      await("accept to block", () -> blockedOn(((StackChannel) server).signal()));
      try (SocketChannel c = t.pa.openSocketChannel()) {
        c.connect(Stacks.at(B_IP, server.socket().getLocalPort()));
        try (SocketChannel s = accepted.get(10, TimeUnit.SECONDS)) {
          assertThat(s.isConnected()).isTrue();
          assertThat(s.getRemoteAddress()).isEqualTo(c.getLocalAddress());
        }
      }
    }
  }

  static byte[] readAll(SocketChannel c) {
    try {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      ByteBuffer b = ByteBuffer.allocate(32_768);
      while (c.read(b) >= 0) {
        out.write(b.array(), 0, b.position());
        b.clear();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String sha(byte[] b) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** Some thread is parked waiting on this signal. */
  static boolean blockedOn(NioSignal s) {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(th ->
        (th.getState() == Thread.State.WAITING || th.getState() == Thread.State.TIMED_WAITING)
            && java.util.concurrent.locks.LockSupport.getBlocker(th) == s);
  }
}
