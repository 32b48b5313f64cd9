package io.tapnfs.netstack.socket;

import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.Clock;
import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.StackConfig;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.link.Impairments;
import io.tapnfs.netstack.link.MemoryLink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Selector semantics on two threaded stacks joined by an in-memory cable. */
@Timeout(60)
@SuppressWarnings("try")   // tests close resources explicitly, and some only to have them closed
class StackSelectorTest {
  static final Ipv4Address A_IP = Ipv4Address.parse("10.9.0.1"), B_IP = Ipv4Address.parse("10.9.0.2");

  /** Two stacks on their own loop threads, on the system clock, each with a provider. */
  static final class Stacks implements AutoCloseable {
    final Stack a, b;
    final StackSelectorProvider pa, pb;

    Stacks() {
      MemoryLink[] l = MemoryLink.pair("nio-a", "nio-b", 1514, Clock.SYSTEM, Impairments.NONE, Impairments.NONE);
      a = Stack.start(StackConfig.of(MacAddress.parse("02:00:00:00:0a:01"), new Ipv4Cidr(A_IP, 24)), l[0], Clock.SYSTEM);
      b = Stack.start(StackConfig.of(MacAddress.parse("02:00:00:00:0b:02"), new Ipv4Cidr(B_IP, 24)), l[1], Clock.SYSTEM);
      pa = new StackSelectorProvider(a);
      pb = new StackSelectorProvider(b);
    }

    static InetSocketAddress at(Ipv4Address ip, int port) { return new InetSocketAddress(ip.toInet(), port); }

    /** A blocking listener on B, any port. */
    ServerSocketChannel listenOnB() throws IOException {
      ServerSocketChannel s = pb.openServerSocketChannel();
      s.bind(new InetSocketAddress(0));
      return s;
    }

    /** A connected pair: [0] the client on A, [1] the accepted channel on B; both blocking. */
    SocketChannel[] connectedPair(ServerSocketChannel server) throws IOException {
      SocketChannel c = pa.openSocketChannel();
      assertThat(c.connect(at(B_IP, server.socket().getLocalPort()))).isTrue();
      SocketChannel s = server.accept();
      return new SocketChannel[] {c, s};
    }

    @Override public void close() throws IOException {
      a.close();
      b.close();
    }
  }

  /** Polls {@code cond} until true or the deadline; no sleeping for synchronization. */
  static void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.yield();
    }
  }

  Stacks t;

  @BeforeEach void start() { t = new Stacks(); }

  @AfterEach void stop() throws IOException { t.close(); }

  @Test void wakeupBeforeSelectMakesTheNextSelectReturnAtOnce() throws IOException {
    try (Selector sel = t.pa.openSelector()) {
      sel.wakeup();
      long t0 = System.nanoTime();
      assertThat(sel.select()).isZero();
      assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
      // consumed: the next timed select waits for its timeout
      t0 = System.nanoTime();
      assertThat(sel.select(100)).isZero();
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(90));
    }
  }

  @Test void selectNowClearsAPendingWakeup() throws IOException {
    try (Selector sel = t.pa.openSelector()) {
      sel.wakeup();
      assertThat(sel.selectNow()).isZero();
      long t0 = System.nanoTime();
      assertThat(sel.select(100)).isZero();
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(90));
    }
  }

  @Test void wakeupFromAnotherThreadEndsABlockedSelect() throws Exception {
    try (Selector sel = t.pa.openSelector()) {
      CompletableFuture<Integer> r = CompletableFuture.supplyAsync(() -> {
        try {
          return sel.select();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      await("the select to block", () -> blockedIn(sel));
      sel.wakeup();
      assertThat(r.get(10, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test void interruptEndsASelectAndKeepsTheStatus() throws Exception {
    try (Selector sel = t.pa.openSelector()) {
      AtomicInteger result = new AtomicInteger(-1);
      boolean[] interrupted = new boolean[1];
      Thread th = new Thread(() -> {
        try {
          result.set(sel.select());
          interrupted[0] = Thread.currentThread().isInterrupted();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      th.start();
      await("the select to block", () -> blockedIn(sel));
      th.interrupt();
      th.join(10_000);
      assertThat(th.isAlive()).isFalse();
      assertThat(result.get()).isZero();
      assertThat(interrupted[0]).isTrue();
    }
  }

  @Test void readinessIsLevelTriggered() throws IOException {
    try (ServerSocketChannel server = t.listenOnB(); Selector sel = t.pb.openSelector()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        accepted.configureBlocking(false);
        SelectionKey k = accepted.register(sel, OP_READ, "att");
        assertThat(sel.selectNow()).isZero();                      // nothing to read yet
        client.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        assertThat(sel.select(10_000)).isEqualTo(1);
        assertThat(sel.selectedKeys()).containsExactly(k);
        assertThat(k.readyOps()).isEqualTo(OP_READ);
        assertThat(k.attachment()).isEqualTo("att");
        // not read: selected again, even after the set was cleared
        sel.selectedKeys().clear();
        assertThat(sel.selectNow()).isEqualTo(1);
        // still in the selected set with the same ready set: not counted again
        assertThat(sel.selectNow()).isZero();
        assertThat(sel.selectedKeys()).containsExactly(k);
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertThat(accepted.read(dst)).isEqualTo(4);
        sel.selectedKeys().clear();
        assertThat(sel.selectNow()).isZero();
        assertThat(sel.selectedKeys()).isEmpty();
      }
    }
  }

  @Test void readySetOnlyHoldsOperationsOfInterestAndGrowsWhileSelected() throws IOException {
    try (ServerSocketChannel server = t.listenOnB(); Selector sel = t.pb.openSelector()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        accepted.configureBlocking(false);
        SelectionKey k = accepted.register(sel, OP_WRITE);
        assertThat(sel.selectNow()).isEqualTo(1);
        assertThat(k.readyOps()).isEqualTo(OP_WRITE);              // readable too, but not of interest
        client.write(ByteBuffer.wrap(new byte[] {9}));
        await("data at B", () -> ((StackChannel) accepted).readyOps() == (OP_READ | OP_WRITE));
        assertThat(k.readyOps()).isEqualTo(OP_WRITE);
        k.interestOps(OP_READ | OP_WRITE);
        assertThat(sel.selectNow()).isEqualTo(1);                  // still selected, ready set grew
        assertThat(k.readyOps()).isEqualTo(OP_READ | OP_WRITE);
      }
    }
  }

  @Test void interestChangeFromAnotherThreadIsSeenByABlockedSelect() throws Exception {
    try (ServerSocketChannel server = t.listenOnB(); Selector sel = t.pb.openSelector()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        accepted.configureBlocking(false);
        SelectionKey k = accepted.register(sel, 0);
        CompletableFuture<Integer> r = CompletableFuture.supplyAsync(() -> {
          try {
            return sel.select(30_000);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        await("the select to block", () -> blockedIn(sel));
        k.interestOps(OP_WRITE);
        assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(k.readyOps()).isEqualTo(OP_WRITE);
      }
    }
  }

  @Test void cancelledKeyIsDeregisteredAtTheNextSelect() throws IOException {
    try (ServerSocketChannel server = t.listenOnB(); Selector sel = t.pb.openSelector()) {
      server.configureBlocking(false);
      SelectionKey k = server.register(sel, OP_ACCEPT);
      k.cancel();
      assertThat(k.isValid()).isFalse();
      assertThatThrownBy(k::interestOps).isInstanceOf(CancelledKeyException.class);
      assertThat(sel.keys()).contains(k);                         // until the next selection
      assertThat(server.keyFor(sel)).isSameAs(k);
      assertThatThrownBy(() -> server.register(sel, OP_ACCEPT)).isInstanceOf(CancelledKeyException.class);
      sel.selectNow();
      assertThat(sel.keys()).doesNotContain(k);
      assertThat(server.keyFor(sel)).isNull();
      assertThat(server.isRegistered()).isFalse();
      // registering again makes a new key
      SelectionKey k2 = server.register(sel, OP_ACCEPT);
      assertThat(k2).isNotSameAs(k);
      assertThat(sel.keys()).containsExactly(k2);
      // with a valid key registered, back to blocking mode is refused, as specified
      assertThatThrownBy(() -> server.configureBlocking(true)).isInstanceOf(java.nio.channels.IllegalBlockingModeException.class);
    }
  }

  @Test void acceptReadinessAndNonBlockingAccept() throws Exception {
    try (ServerSocketChannel server = t.listenOnB(); Selector sel = t.pb.openSelector()) {
      server.configureBlocking(false);
      assertThat(server.accept()).isNull();                       // nothing waits
      SelectionKey k = server.register(sel, OP_ACCEPT);
      assertThat(sel.selectNow()).isZero();
      try (SocketChannel c = t.pa.openSocketChannel()) {
        c.connect(Stacks.at(B_IP, server.socket().getLocalPort()));
        assertThat(sel.select(10_000)).isEqualTo(1);
        assertThat(k.isAcceptable()).isTrue();
        try (SocketChannel s = server.accept()) {
          assertThat(s).isNotNull();
          assertThat(s.isBlocking()).isTrue();
          assertThat(s.getRemoteAddress()).isEqualTo(c.getLocalAddress());
        }
        assertThat(server.accept()).isNull();
        sel.selectedKeys().clear();
        assertThat(sel.selectNow()).isZero();
      }
    }
  }

  @Test void nonBlockingConnectSelectsConnectThenFinishes() throws IOException {
    try (ServerSocketChannel server = t.listenOnB(); Selector sel = t.pa.openSelector();
         SocketChannel c = t.pa.openSocketChannel()) {
      c.configureBlocking(false);
      assertThat(c.connect(Stacks.at(B_IP, server.socket().getLocalPort()))).isFalse();
      assertThat(c.isConnectionPending()).isTrue();
      SelectionKey k = c.register(sel, OP_CONNECT);
      assertThat(sel.select(10_000)).isEqualTo(1);
      assertThat(k.isConnectable()).isTrue();
      assertThat(c.finishConnect()).isTrue();
      assertThat(c.isConnected()).isTrue();
      assertThat(c.isConnectionPending()).isFalse();
      k.interestOps(OP_WRITE);
      sel.selectedKeys().clear();
      assertThat(sel.select(10_000)).isEqualTo(1);
      assertThat(k.readyOps()).isEqualTo(OP_WRITE);
    }
  }

  @Test void oneChannelOnTwoSelectorsAtOnce() throws Exception {
    try (ServerSocketChannel server = t.listenOnB(); Selector s1 = t.pb.openSelector(); Selector s2 = t.pb.openSelector()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        accepted.configureBlocking(false);
        SelectionKey k1 = accepted.register(s1, OP_READ);
        SelectionKey k2 = accepted.register(s2, OP_READ);
        assertThat(k1).isNotSameAs(k2);
        assertThat(accepted.keyFor(s1)).isSameAs(k1);
        assertThat(accepted.keyFor(s2)).isSameAs(k2);
        CompletableFuture<Integer> r1 = selectAsync(s1), r2 = selectAsync(s2);
        await("both selects to block", () -> blockedIn(s1) && blockedIn(s2));
        client.write(ByteBuffer.wrap(new byte[] {7}));
        assertThat(r1.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(r2.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        // cancelling on one leaves the other
        k1.cancel();
        s1.selectNow();
        assertThat(accepted.keyFor(s1)).isNull();
        s2.selectedKeys().clear();
        assertThat(s2.selectNow()).isEqualTo(1);
      }
    }
  }

  @Test void selectWithAnActionConsumesEveryReadyKey() throws IOException {
    try (ServerSocketChannel server = t.listenOnB(); Selector sel = t.pb.openSelector()) {
      SocketChannel[] p = t.connectedPair(server);
      SocketChannel[] q = t.connectedPair(server);
      try (SocketChannel c1 = p[0]; SocketChannel a1 = p[1]; SocketChannel c2 = q[0]; SocketChannel a2 = q[1]) {
        a1.configureBlocking(false);
        a2.configureBlocking(false);
        a1.register(sel, OP_READ);
        a2.register(sel, OP_READ);
        c1.write(ByteBuffer.wrap(new byte[] {1}));
        c2.write(ByteBuffer.wrap(new byte[] {2}));
        await("both readable", () -> ((StackChannel) a1).readyOps() != OP_WRITE && ((StackChannel) a2).readyOps() != OP_WRITE);
        List<SelectionKey> seen = new ArrayList<>();
        assertThat(sel.select(seen::add, 10_000)).isEqualTo(2);
        assertThat(seen).extracting(SelectionKey::channel).containsExactlyInAnyOrder(a1, a2);
        seen.clear();
        assertThat(sel.selectNow(seen::add)).isEqualTo(2);         // level-triggered: still unread
      }
    }
  }

  @Test void closingAChannelCancelsItsKeyAndWakesTheSelector() throws Exception {
    try (ServerSocketChannel server = t.listenOnB(); Selector sel = t.pb.openSelector()) {
      SocketChannel[] p = t.connectedPair(server);
      try (SocketChannel client = p[0]; SocketChannel accepted = p[1]) {
        accepted.configureBlocking(false);
        SelectionKey k = accepted.register(sel, OP_READ);
        accepted.close();
        assertThat(k.isValid()).isFalse();
        sel.selectNow();
        assertThat(sel.keys()).isEmpty();
        // the peer sees the FIN
        ByteBuffer dst = ByteBuffer.allocate(4);
        assertThat(client.read(dst)).isEqualTo(-1);
      }
    }
  }

  @Test void foreignChannelsAreRejected() throws IOException {
    try (Selector sel = t.pa.openSelector(); DatagramChannel jdk = DatagramChannel.open();
         DatagramChannel otherStack = t.pb.openDatagramChannel()) {
      jdk.configureBlocking(false);
      assertThatThrownBy(() -> jdk.register(sel, OP_READ)).isInstanceOf(IllegalSelectorException.class);
      otherStack.configureBlocking(false);
      assertThatThrownBy(() -> otherStack.register(sel, OP_READ)).isInstanceOf(IllegalSelectorException.class);
      assertThat(sel.keys()).isEmpty();
    }
  }

  @Test void closedSelectorInvalidatesKeysAndRefusesUse() throws IOException {
    Selector sel = t.pb.openSelector();
    try (ServerSocketChannel server = t.listenOnB()) {
      server.configureBlocking(false);
      SelectionKey k = server.register(sel, OP_ACCEPT);
      sel.close();
      assertThat(sel.isOpen()).isFalse();
      assertThat(k.isValid()).isFalse();
      assertThat(server.isRegistered()).isFalse();
      assertThatThrownBy(sel::selectNow).isInstanceOf(ClosedSelectorException.class);
      assertThatThrownBy(sel::keys).isInstanceOf(ClosedSelectorException.class);
      assertThatThrownBy(() -> server.register(sel, OP_ACCEPT)).isInstanceOf(ClosedSelectorException.class);
      sel.wakeup();                                               // allowed on a closed selector
      server.configureBlocking(true);                             // no valid keys left
      assertThat(server.isBlocking()).isTrue();
    }
  }

  @Test void closeEndsASelectInProgress() throws Exception {
    Selector sel = t.pa.openSelector();
    CompletableFuture<Integer> r = selectAsync(sel);
    await("the select to block", () -> blockedIn(sel));
    sel.close();
    assertThat(r.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(sel.isOpen()).isFalse();
  }

  @Test void selectedKeySetRefusesAdditions() throws IOException {
    try (Selector sel = t.pa.openSelector(); DatagramChannel d = t.pa.openDatagramChannel()) {
      d.configureBlocking(false);
      SelectionKey k = d.register(sel, OP_WRITE);
      assertThatThrownBy(() -> sel.selectedKeys().add(k)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> sel.keys().remove(k)).isInstanceOf(UnsupportedOperationException.class);
      assertThat(sel.selectNow()).isEqualTo(1);                   // UDP: always writable
      assertThat(sel.selectedKeys().remove(k)).isTrue();
    }
  }

  @Test void timedSelectWaitsForItsTimeout() throws IOException {
    try (Selector sel = t.pa.openSelector()) {
      long t0 = System.nanoTime();
      assertThat(sel.select(Duration.ofMillis(150).toMillis())).isZero();
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(140));
      assertThatThrownBy(() -> sel.select(-1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  static CompletableFuture<Integer> selectAsync(Selector sel) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return sel.select();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  /** Some thread is parked inside {@code sel}'s selection operation. */
  static boolean blockedIn(Selector sel) {
    return Thread.getAllStackTraces().entrySet().stream().anyMatch(e ->
        (e.getKey().getState() == Thread.State.WAITING || e.getKey().getState() == Thread.State.TIMED_WAITING)
            && java.util.concurrent.locks.LockSupport.getBlocker(e.getKey()) == sel);
  }
}
