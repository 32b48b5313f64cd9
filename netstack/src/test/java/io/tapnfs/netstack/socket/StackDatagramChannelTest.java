package io.tapnfs.netstack.socket;

import static io.tapnfs.netstack.socket.StackSelectorTest.A_IP;
import static io.tapnfs.netstack.socket.StackSelectorTest.B_IP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.socket.StackSelectorTest.Stacks;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** UDP channels and their DatagramSocket adapter on two threaded stacks. */
@Timeout(60)
@SuppressWarnings("try")   // tests close resources explicitly, and some only to have them closed
class StackDatagramChannelTest {
  Stacks t;

  @BeforeEach void start() { t = new Stacks(); }

  @AfterEach void stop() throws IOException { t.close(); }

  @Test void sendAndReceiveWithAddresses() throws IOException {
    try (DatagramChannel server = t.pb.openDatagramChannel(); DatagramChannel client = t.pa.openDatagramChannel()) {
      server.bind(new InetSocketAddress(7007));
      assertThat(client.getLocalAddress()).isNull();               // bound on first use
      assertThat(client.send(ByteBuffer.wrap("ping".getBytes()), Stacks.at(B_IP, 7007))).isEqualTo(4);
      InetSocketAddress clientAddr = (InetSocketAddress) client.getLocalAddress();
      assertThat(clientAddr.getPort()).isPositive();
      ByteBuffer dst = ByteBuffer.allocate(100);
      InetSocketAddress from = (InetSocketAddress) server.receive(dst);   // blocking
      assertThat(from).isEqualTo(Stacks.at(A_IP, clientAddr.getPort()));
      assertThat(new String(dst.array(), 0, dst.position())).isEqualTo("ping");
      dst.flip();
      server.send(dst, from);
      ByteBuffer back = ByteBuffer.allocate(100);
      assertThat(client.receive(back)).isEqualTo(Stacks.at(B_IP, 7007));
      assertThat(back.position()).isEqualTo(4);
    }
  }

  @Test void largeDatagramsAreFragmentedAndReassembled() throws IOException {
    try (DatagramChannel server = t.pb.openDatagramChannel(); DatagramChannel client = t.pa.openDatagramChannel()) {
      server.bind(new InetSocketAddress(7008));
      Random r = new Random(3);
      for (int size : new int[] {1472, 1473, 8000, 65_507}) {
        byte[] data = new byte[size];
        r.nextBytes(data);
        client.send(ByteBuffer.wrap(data), Stacks.at(B_IP, 7008));
        ByteBuffer dst = ByteBuffer.allocate(65_536);
        server.receive(dst);
        assertThat(dst.position()).as("size %d", size).isEqualTo(size);
        assertThat(Arrays.copyOf(dst.array(), size)).isEqualTo(data);
      }
    }
  }

  @Test void whatDoesNotFitIsDiscarded() throws IOException {
    try (DatagramChannel server = t.pb.openDatagramChannel(); DatagramChannel client = t.pa.openDatagramChannel()) {
      server.bind(new InetSocketAddress(7009));
      client.send(ByteBuffer.wrap("0123456789".getBytes()), Stacks.at(B_IP, 7009));
      client.send(ByteBuffer.wrap("next".getBytes()), Stacks.at(B_IP, 7009));
      ByteBuffer small = ByteBuffer.allocate(4);
      server.receive(small);
      assertThat(new String(small.array())).isEqualTo("0123");
      ByteBuffer dst = ByteBuffer.allocate(100);
      server.receive(dst);
      assertThat(new String(dst.array(), 0, dst.position())).isEqualTo("next");
    }
  }

  @Test void nonBlockingReceiveAndReadiness() throws Exception {
    try (DatagramChannel server = t.pb.openDatagramChannel(); DatagramChannel client = t.pa.openDatagramChannel();
         Selector sel = t.pb.openSelector()) {
      server.bind(new InetSocketAddress(0));
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      server.configureBlocking(false);
      assertThat(server.receive(ByteBuffer.allocate(10))).isNull();
      SelectionKey k = server.register(sel, SelectionKey.OP_READ);
      assertThat(sel.selectNow()).isZero();
      for (int i = 0; i < 50; i++) client.send(ByteBuffer.wrap(("m" + i).getBytes()), Stacks.at(B_IP, port));
      int got = 0;
      while (got < 50) {
        assertThat(sel.select(10_000)).isLessThanOrEqualTo(1);
        assertThat(k.isReadable()).isTrue();
        ByteBuffer dst = ByteBuffer.allocate(10);
        while (server.receive(dst) != null) {
          assertThat(new String(dst.array(), 0, dst.position())).isEqualTo("m" + got);
          got++;
          dst.clear();
        }
        sel.selectedKeys().clear();
      }
      assertThat(sel.selectNow()).isZero();
    }
  }

  @Test void connectedChannelsReadWriteAndFilterOtherSenders() throws IOException {
    try (DatagramChannel server = t.pb.openDatagramChannel(); DatagramChannel client = t.pa.openDatagramChannel();
         DatagramChannel stranger = t.pa.openDatagramChannel()) {
      server.bind(new InetSocketAddress(7010));
      assertThatThrownBy(() -> client.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
      assertThatThrownBy(() -> client.write(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
      client.connect(Stacks.at(B_IP, 7010));
      assertThat(client.isConnected()).isTrue();
      assertThat(client.getRemoteAddress()).isEqualTo(Stacks.at(B_IP, 7010));
      assertThatThrownBy(() -> client.send(ByteBuffer.allocate(1), Stacks.at(B_IP, 9))).isInstanceOf(AlreadyConnectedException.class);
      ByteBuffer[] parts = {ByteBuffer.wrap("ab".getBytes()), ByteBuffer.wrap("cde".getBytes())};
      assertThat(client.write(parts)).isEqualTo(5);                // one datagram
      ByteBuffer dst = ByteBuffer.allocate(10);
      InetSocketAddress from = (InetSocketAddress) server.receive(dst);
      assertThat(new String(dst.array(), 0, dst.position())).isEqualTo("abcde");
      // the stranger writes to the client's port first: the connected client never sees it
      stranger.send(ByteBuffer.wrap("spam".getBytes()), Stacks.at(A_IP, from.getPort()));
      server.send(ByteBuffer.wrap("reply".getBytes()), from);
      ByteBuffer[] in = {ByteBuffer.allocate(2), ByteBuffer.allocate(10)};
      assertThat(client.read(in)).isEqualTo(5);
      assertThat(new String(in[0].array())).isEqualTo("re");
      assertThat(new String(in[1].array(), 0, in[1].position())).isEqualTo("ply");
      client.disconnect();
      assertThat(client.isConnected()).isFalse();
    }
  }

  @Test void bindChecks() throws IOException {
    try (DatagramChannel a = t.pb.openDatagramChannel(); DatagramChannel b = t.pb.openDatagramChannel()) {
      assertThatThrownBy(() -> a.bind(new InetSocketAddress(A_IP.toInet(), 0))).isInstanceOf(BindException.class);
      a.bind(new InetSocketAddress(B_IP.toInet(), 7011));
      assertThat(a.getLocalAddress()).isEqualTo(Stacks.at(B_IP, 7011));
      assertThatThrownBy(() -> b.bind(new InetSocketAddress(7011))).isInstanceOf(BindException.class);
      assertThatThrownBy(() -> a.bind(null)).isInstanceOf(java.nio.channels.AlreadyBoundException.class);
      assertThat(a.getOption(StandardSocketOptions.SO_RCVBUF)).isGreaterThanOrEqualTo(65_536);
      assertThat(a.getOption(StandardSocketOptions.SO_SNDBUF)).isGreaterThanOrEqualTo(65_536);
      a.close();
      assertThatThrownBy(a::getLocalAddress).isInstanceOf(ClosedChannelException.class);
      b.bind(new InetSocketAddress(7011));                          // free again
    }
  }

  @Test void asynchronousCloseEndsABlockedReceive() throws Exception {
    DatagramChannel server = t.pb.openDatagramChannel();
    server.bind(new InetSocketAddress(0));
    CompletableFuture<Object> r = CompletableFuture.supplyAsync(() -> {
      try {
        return server.receive(ByteBuffer.allocate(10));
      } catch (IOException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
    StackSelectorTest.await("the receive to block", () -> StackSocketChannelTest.blockedOn(((StackChannel) server).signal()));
    server.close();
    assertThatThrownBy(() -> r.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(AsynchronousCloseException.class);
  }

  @Test void datagramSocketAdapter() throws IOException {
    try (DatagramChannel sc = t.pb.openDatagramChannel(); DatagramChannel cc = t.pa.openDatagramChannel()) {
      DatagramSocket server = sc.socket();
      assertThat(server.isBound()).isFalse();
      server.setReuseAddress(true);
      assertThat(server.getReuseAddress()).isTrue();
      server.bind(new InetSocketAddress(7012));
      assertThat(server.getLocalPort()).isEqualTo(7012);
      assertThat(server.getReceiveBufferSize()).isGreaterThanOrEqualTo(65_536);
      assertThat(server.getSendBufferSize()).isGreaterThanOrEqualTo(65_536);
      server.setReceiveBufferSize(1 << 20);                      // a hint
      server.setSoTimeout(100);
      DatagramPacket p = new DatagramPacket(new byte[100], 100);
      assertThatThrownBy(() -> server.receive(p)).isInstanceOf(SocketTimeoutException.class);

      DatagramSocket client = cc.socket();
      client.bind(null);
      client.connect(Stacks.at(B_IP, 7012));
      assertThat(client.isConnected()).isTrue();
      assertThat(client.getInetAddress()).isEqualTo(B_IP.toInet());
      assertThat(client.getPort()).isEqualTo(7012);
      client.send(new DatagramPacket("hi".getBytes(), 2));
      server.setSoTimeout(5000);
      server.receive(p);
      assertThat(new String(p.getData(), 0, p.getLength())).isEqualTo("hi");
      assertThat(p.getSocketAddress()).isEqualTo(Stacks.at(A_IP, client.getLocalPort()));
      assertThat(((InetSocketAddress) client.getLocalSocketAddress()).getAddress()).isEqualTo(NioAddresses.ANY);
      server.close();
      assertThat(server.isClosed()).isTrue();
      assertThat(sc.isOpen()).isFalse();
      assertThatThrownBy(() -> server.setSoTimeout(1)).isInstanceOf(SocketException.class);
    }
  }
}
