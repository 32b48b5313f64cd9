package io.tapnfs.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapnfs.netstack.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dcache.oncrpc4j.rpc.OncRpcException;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.dcache.oncrpc4j.xdr.XdrInt;
import org.dcache.oncrpc4j.xdr.XdrVoid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The duplicate-request cache in an {@link RpcServer} on two in-memory stacks: calls sent as raw
 * bytes with a chosen xid, retransmitted on the same connection, on a new one (another port) and
 * over UDP.
 */
@Timeout(60)
class RpcServerDrcTest {
  static final Duration T = Duration.ofSeconds(10);
  static final int PROGRAM = 0x20001235, NULL = 0, BUMP = 1, PEEK = 2, SLOW = 3;

  /** BUMP and SLOW change state (cached); PEEK does not (not cached). Each counts its runs. */
  static final class Tally implements RpcDispatchable {
    final AtomicInteger bumps = new AtomicInteger(), peeks = new AtomicInteger(), slows = new AtomicInteger();
    final CountDownLatch slowEntered = new CountDownLatch(1), slowRelease = new CountDownLatch(1);

    static boolean cached(int proc) { return proc == BUMP || proc == SLOW; }

    @Override public void dispatchOncRpcCall(RpcCall call) throws OncRpcException, IOException {
      switch (call.getProcedure()) {
        case NULL -> {
          call.retrieveCall(XdrVoid.XDR_VOID);
          call.reply(XdrVoid.XDR_VOID);
        }
        case BUMP -> {                                            // replies (runs so far, its argument)
          XdrInt arg = new XdrInt();
          call.retrieveCall(arg);
          int runs = bumps.incrementAndGet();
          call.reply(new XdrAble() {
            @Override public void xdrEncode(XdrEncodingStream x) throws IOException {
              x.xdrEncodeInt(runs);
              x.xdrEncodeInt(arg.intValue());
            }

            @Override public void xdrDecode(XdrDecodingStream x) { throw new UnsupportedOperationException(); }
          });
        }
        case PEEK -> {
          call.retrieveCall(XdrVoid.XDR_VOID);
          call.reply(new XdrInt(peeks.incrementAndGet()));
        }
        case SLOW -> {
          call.retrieveCall(XdrVoid.XDR_VOID);
          slowEntered.countDown();
          try {
            if (!slowRelease.await(T.toMillis(), TimeUnit.MILLISECONDS)) throw new IllegalStateException("never released");
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          call.reply(new XdrInt(slows.incrementAndGet()));
        }
        default -> call.failProcedureUnavailable();
      }
    }
  }

  static byte[] bump(int xid, int arg) throws IOException { return RawRpc.call(xid, PROGRAM, 1, BUMP, null, new XdrInt(arg)); }

  static byte[] call(int xid, int proc) throws IOException { return RawRpc.call(xid, PROGRAM, 1, proc, null, XdrVoid.XDR_VOID); }

  /** An accepted, successful reply's words: xid, REPLY, MSG_ACCEPTED, verifier AUTH_NONE, SUCCESS, results. */
  static int[] words(byte[] reply) {
    ByteBuffer b = ByteBuffer.wrap(reply);
    int[] w = new int[reply.length / 4];
    for (int i = 0; i < w.length; i++) w[i] = b.getInt();
    return w;
  }

  @Test void aRetransmissionRunsOnceOnTheSameConnectionANewOneAndUdpAndGetsTheSameBytes() throws Exception {
    Tally tally = new Tally();
    try (TwoHosts h = new TwoHosts();
         RpcServer s = RpcServer.on(h.b).program(PROGRAM, 1, tally, Tally::cached).tcp(5560).udp(5560).start()) {
      byte[] first, again, reconnected, overUdp;
      int firstPort;
      try (RawRpc.Tcp c = new RawRpc.Tcp(h.a, TwoHosts.B_IP, 5560, T)) {
        firstPort = c.localPort();
        first = c.call(bump(100, 7));
        again = c.call(bump(100, 7));
      }
      try (RawRpc.Tcp c = new RawRpc.Tcp(h.a, TwoHosts.B_IP, 5560, T)) {      // after a reconnect: another port
        assertThat(c.localPort()).isNotEqualTo(firstPort);
        reconnected = c.call(bump(100, 7));
      }
      try (RawRpc.Udp u = new RawRpc.Udp(h.a, TwoHosts.B_IP, 5560, T)) {
        overUdp = u.call(bump(100, 7));
      }
      assertThat(words(first)).containsExactly(100, 1, 0, 0, 0, 0, 1, 7);      // ran once: runs 1, argument 7
      assertThat(again).isEqualTo(first);
      assertThat(reconnected).isEqualTo(first);
      assertThat(overUdp).isEqualTo(first);
      assertThat(tally.bumps).hasValue(1);
      assertThat(s.counter(RpcStat.CALLS)).isEqualTo(1);
      assertThat(s.counters()).containsEntry("drcMisses", 1L).containsEntry("drcHits", 3L).containsEntry("drcEntries", 1L)
          .containsEntry("drcBytes", (long) DuplicateRequestCache.ENTRY_OVERHEAD + first.length);

      try (RawRpc.Tcp c = new RawRpc.Tcp(h.a, TwoHosts.B_IP, 5560, T)) {
        // the same xid with other arguments is another call
        assertThat(words(c.call(bump(100, 8)))).containsExactly(100, 1, 0, 0, 0, 0, 2, 8);
        // a procedure the program did not ask to cache runs each time
        byte[] p1 = c.call(call(200, PEEK)), p2 = c.call(call(200, PEEK));
        assertThat(words(p1)).containsExactly(200, 1, 0, 0, 0, 0, 1);
        assertThat(words(p2)).containsExactly(200, 1, 0, 0, 0, 0, 2);
      }
      assertThat(tally.bumps).hasValue(2);
      assertThat(tally.peeks).hasValue(2);
      assertThat(s.counter(RpcStat.DRC_MISSES)).isEqualTo(2);
    }
  }

  @Test void aRetransmissionOfACallInProgressIsDroppedThenAnsweredFromTheCache() throws Exception {
    Tally tally = new Tally();
    try (TwoHosts h = new TwoHosts();
         RpcServer s = RpcServer.on(h.b).program(PROGRAM, 1, tally, Tally::cached).tcp(5561).start();
         RawRpc.Tcp c1 = new RawRpc.Tcp(h.a, TwoHosts.B_IP, 5561, T);
         RawRpc.Tcp c2 = new RawRpc.Tcp(h.a, TwoHosts.B_IP, 5561, T)) {
      c1.send(call(300, SLOW));
      assertThat(tally.slowEntered.await(T.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      c2.send(call(300, SLOW));                                               // the client gave up on c1
      long deadline = System.nanoTime() + T.toNanos();
      while (s.counter(RpcStat.DRC_IN_PROGRESS_DROPS) == 0 && System.nanoTime() < deadline) Thread.yield();
      assertThat(s.counter(RpcStat.DRC_IN_PROGRESS_DROPS)).isEqualTo(1);
      tally.slowRelease.countDown();
      byte[] r1 = c1.receive();
      assertThat(words(r1)).containsExactly(300, 1, 0, 0, 0, 0, 1);
      assertThat(c2.call(call(300, SLOW))).isEqualTo(r1);                     // retransmitted again: the stored reply
      assertThat(RawRpc.xid(c2.call(call(301, NULL)))).isEqualTo(301);        // and nothing else came on c2
      assertThat(tally.slows).hasValue(1);
      assertThat(s.counter(RpcStat.DRC_HITS)).isEqualTo(1);
    }
  }

  @Test void aStoredReplyExpiresOnTheServersClock() throws Exception {
    Tally tally = new Tally();
    ManualClock clock = new ManualClock();
    try (TwoHosts h = new TwoHosts();
         RpcServer s = RpcServer.on(h.b).program(PROGRAM, 1, tally, Tally::cached).tcp(5562)
             .drc(64, 1 << 20, Duration.ofSeconds(120)).clock(clock).start();
         RawRpc.Tcp c = new RawRpc.Tcp(h.a, TwoHosts.B_IP, 5562, T)) {
      byte[] r1 = c.call(bump(400, 1));
      clock.advance(Duration.ofSeconds(119));
      assertThat(c.call(bump(400, 1))).isEqualTo(r1);
      clock.advance(Duration.ofSeconds(120));
      assertThat(words(c.call(bump(400, 1)))).containsExactly(400, 1, 0, 0, 0, 0, 2, 1);   // ran again
      assertThat(tally.bumps).hasValue(2);
      assertThat(s.counter(RpcStat.DRC_EXPIRED)).isEqualTo(1);
    }
  }
}
