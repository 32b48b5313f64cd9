package io.tapnfs.netstack.socket;

import static io.tapnfs.netstack.socket.StackSelectorTest.B_IP;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.socket.StackSelectorTest.Stacks;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.StandaloneProcessor;
import org.glassfish.grizzly.impl.FutureImpl;
import org.glassfish.grizzly.streams.StreamReader;
import org.glassfish.grizzly.streams.StreamWriter;
import org.glassfish.grizzly.utils.Futures;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.nio.transport.UDPNIOTransport;
import org.glassfish.grizzly.nio.transport.UDPNIOTransportBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Grizzly 4, unmodified, on the stack's {@link StackSelectorProvider}: TCP and UDP echo servers
 * (TransportFilter + an echo filter) on stack B, clients on stack A, everything compared by
 * SHA-256.
 */
@Timeout(120)
class GrizzlyOnStackTest {
  static final int TCP_BYTES = 4 << 20;

  Stacks t;
  TCPNIOTransport tcpServer;
  UDPNIOTransport udpServer;

  /** Echoes every message back to where it came from (the peer address matters for UDP). */
  static final class Echo extends BaseFilter {
    @Override public NextAction handleRead(FilterChainContext ctx) throws IOException {
      ctx.write(ctx.getAddress(), ctx.getMessage(), null);
      return ctx.getStopAction();
    }
  }

  @BeforeEach void start() throws IOException {
    t = new Stacks();
    FilterChainBuilder chain = FilterChainBuilder.stateless().add(new TransportFilter()).add(new Echo());
    tcpServer = TCPNIOTransportBuilder.newInstance().setSelectorProvider(t.pb).build();
    tcpServer.setProcessor(chain.build());
    udpServer = UDPNIOTransportBuilder.newInstance().setSelectorProvider(t.pb).build();
    udpServer.setProcessor(chain.build());
  }

  @AfterEach void stop() throws IOException {
    if (tcpServer != null) tcpServer.shutdownNow();
    if (udpServer != null) udpServer.shutdownNow();
    t.close();
  }

  @Test void tcpEchoToABlockingChannelClient() throws Exception {
    TCPNIOServerConnection server = tcpServer.bind(new InetSocketAddress(7007));
    tcpServer.start();
    assertThat(((InetSocketAddress) server.getLocalAddress()).getPort()).isEqualTo(7007);
    byte[] data = random(TCP_BYTES, 1);
    try (SocketChannel c = t.pa.openSocketChannel()) {
      c.connect(Stacks.at(B_IP, 7007));
      CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> readExactly(c, data.length));
      ByteBuffer src = ByteBuffer.wrap(data);
      while (src.hasRemaining()) c.write(src);                        // blocking: all of it
      assertThat(sha(back.get(30, TimeUnit.SECONDS))).isEqualTo(sha(data));
    }
  }

  @Test void manyConcurrentTcpClients() throws Exception {
    tcpServer.bind(new InetSocketAddress(7007));
    tcpServer.start();
    int n = 16;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2 * n);
    try {
      java.util.List<CompletableFuture<Boolean>> clients = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        byte[] data = random(256 << 10, 100 + i);
        clients.add(CompletableFuture.supplyAsync(() -> {
          try (SocketChannel c = t.pa.openSocketChannel()) {
            c.connect(Stacks.at(B_IP, 7007));
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> readExactly(c, data.length), pool);
            c.write(ByteBuffer.wrap(data));
            return java.util.Arrays.equals(back.get(30, TimeUnit.SECONDS), data);
          } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
          }
        }, pool));
      }
      for (CompletableFuture<Boolean> c : clients) assertThat(c.get(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test void tcpEchoToAGrizzlyClientOnTheOtherStack() throws Exception {
    tcpServer.bind(new InetSocketAddress(B_IP.toInet(), 7007));
    tcpServer.start();
    byte[] data = random(TCP_BYTES, 2);
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    CompletableFuture<Long> received = new CompletableFuture<>();
    long[] count = {0};
    TCPNIOTransport client = TCPNIOTransportBuilder.newInstance().setSelectorProvider(t.pa).build();
    client.setProcessor(FilterChainBuilder.stateless().add(new TransportFilter()).add(new BaseFilter() {
      @Override public NextAction handleRead(FilterChainContext ctx) {
        Buffer b = ctx.getMessage();
        synchronized (md) {
          while (b.hasRemaining()) {
            ByteBuffer bb = b.toByteBuffer();
            count[0] += bb.remaining();
            md.update(bb);
            b.position(b.limit());
          }
          if (count[0] >= data.length) received.complete(count[0]);
        }
        b.tryDispose();
        return ctx.getStopAction();
      }
    }).build());
    client.start();
    try {
      Connection<?> conn = client.connect(Stacks.at(B_IP, 7007)).get(10, TimeUnit.SECONDS);
      assertThat(conn.isOpen()).isTrue();
      for (int off = 0; off < data.length; off += 256 << 10)
        conn.write(Buffers.wrap(client.getMemoryManager(), data, off, Math.min(256 << 10, data.length - off)));
      assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo((long) data.length);
      synchronized (md) {
        assertThat(HexFormat.of().formatHex(md.digest())).isEqualTo(sha(data));
      }
      conn.closeSilently();
    } finally {
      client.shutdownNow();
    }
  }

  /**
   * Grizzly's blocking mode: a standalone client connection whose reads and writes wait on
   * temporary selectors of the provider while the channel stays registered with its runner's.
   */
  @SuppressWarnings({"deprecation", "rawtypes", "unchecked"})   // configureStandalone, as Grizzly's own tests; its raw Connection API
  @Test void tcpEchoToABlockingGrizzlyClientUsingTemporarySelectors() throws Exception {
    tcpServer.bind(new InetSocketAddress(7007));
    tcpServer.start();
    TCPNIOTransport client = TCPNIOTransportBuilder.newInstance().setSelectorProvider(t.pa).build();
    client.setProcessor(FilterChainBuilder.stateless().add(new TransportFilter()).build());
    client.start();
    try {
      FutureImpl<Connection> connected = Futures.createSafeFuture();
      client.connect(Stacks.at(B_IP, 7007), Futures.toCompletionHandler(connected, new EmptyCompletionHandler<Connection>() {
        @Override public void completed(Connection c) { c.configureStandalone(true); }
      }));
      Connection<?> conn = connected.get(10, TimeUnit.SECONDS);
      conn.configureBlocking(true);
      StreamWriter writer = StandaloneProcessor.INSTANCE.getStreamWriter(conn);
      StreamReader reader = StandaloneProcessor.INSTANCE.getStreamReader(conn);
      byte[] data = random(1 << 20, 3);
      int chunk = 64 << 10;
      for (int off = 0; off < data.length; off += chunk) {
        writer.writeByteArray(data, off, chunk);
        assertThat(writer.flush().get(10, TimeUnit.SECONDS)).isEqualTo(chunk);
        assertThat(reader.notifyAvailable(chunk).get(10, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(chunk);
        byte[] echo = new byte[chunk];
        reader.readByteArray(echo);
        assertThat(echo).as("chunk at %d", off).isEqualTo(java.util.Arrays.copyOfRange(data, off, off + chunk));
      }
      conn.closeSilently();
    } finally {
      client.shutdownNow();
    }
  }

  @Test void udpEchoIncludingFragmentedDatagrams() throws Exception {
    udpServer.bind(new InetSocketAddress(7007));
    udpServer.start();
    Random r = new Random(4);
    MessageDigest sent = MessageDigest.getInstance("SHA-256"), back = MessageDigest.getInstance("SHA-256");
    int large = 0;
    try (DatagramChannel c = t.pa.openDatagramChannel()) {
      ByteBuffer dst = ByteBuffer.allocate(65_536);
      for (int i = 0; i < 300; i++) {
        int size = i % 10 == 0 ? 65_507 : i % 3 == 0 ? 1473 + r.nextInt(20_000) : 1 + r.nextInt(1472);
        if (size > 1472) large++;
        byte[] d = new byte[size];
        r.nextBytes(d);
        sent.update(d);
        c.send(ByteBuffer.wrap(d), Stacks.at(B_IP, 7007));
        dst.clear();
        InetSocketAddress from = (InetSocketAddress) c.receive(dst);     // blocking: one in flight
        assertThat(from).isEqualTo(Stacks.at(B_IP, 7007));
        assertThat(dst.position()).as("datagram %d", i).isEqualTo(size);
        back.update(dst.flip());
      }
    }
    assertThat(large).isGreaterThan(100);
    assertThat(HexFormat.of().formatHex(back.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] readExactly(SocketChannel c, int n) {
    ByteBuffer b = ByteBuffer.allocate(n);
    try {
      while (b.hasRemaining()) {
        if (c.read(b) < 0) break;
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
