package io.tapnfs.rpc;

import static io.tapnfs.rpc.DuplicateRequestCache.ENTRY_OVERHEAD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.ManualClock;
import io.tapnfs.rpc.DuplicateRequestCache.Lookup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.rpc.RpcAuth;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeNone;
import org.dcache.oncrpc4j.rpc.RpcAuthTypeUnix;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcTransport;
import org.dcache.oncrpc4j.xdr.Xdr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The cache's core on a manual clock: transitions, keys, bounds, age. */
class DuplicateRequestCacheTest {
  static final InetAddress A = addr("10.9.0.1"), B = addr("10.9.0.3");
  static final Duration AGE = Duration.ofSeconds(120);
  final ManualClock clock = new ManualClock();
  final RpcCounters counters = new RpcCounters();

  static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static DrcKey key(int xid) { return new DrcKey(A, xid, 100003, 3, 12, 40, 0x5eed); }

  static byte[] reply(int n, int seed) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) seed);
    return b;
  }

  DuplicateRequestCache cache(int entries, long bytes, int maxReply) {
    return new DuplicateRequestCache(entries, bytes, AGE, maxReply, counters);
  }

  long count(RpcStat s) { return counters.get(s); }

  /** A call that completes with {@code reply}. */
  void done(DuplicateRequestCache c, DrcKey k, byte[] reply) {
    assertThat(c.begin(k, clock.nanos())).isEqualTo(Lookup.MISS);
    c.complete(k, reply, clock.nanos());
  }

  // ------------------------------------------------------------------ transitions

  @Test void missThenInProgressThenDoneReplaysTheStoredBytes() {
    var c = cache(16, 1 << 20, 4096);
    byte[] r = reply(120, 7);
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.MISS);
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.IN_PROGRESS);   // retransmitted while it runs: dropped
    c.complete(key(1), r, clock.nanos());
    Lookup l = c.begin(key(1), clock.nanos());
    assertThat(l).isInstanceOf(Lookup.Replay.class);
    assertThat(((Lookup.Replay) l).reply()).isEqualTo(reply(120, 7));
    assertThat(c.begin(key(1), clock.nanos())).isInstanceOf(Lookup.Replay.class);
    assertThat(count(RpcStat.DRC_MISSES)).isEqualTo(1);
    assertThat(count(RpcStat.DRC_IN_PROGRESS_DROPS)).isEqualTo(1);
    assertThat(count(RpcStat.DRC_HITS)).isEqualTo(2);
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.bytes()).isEqualTo(ENTRY_OVERHEAD + 120);
  }

  @Test void anAbandonedCallRunsAgainAndALateCompletionIsIgnored() {
    var c = cache(16, 1 << 20, 4096);
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.MISS);
    c.abandon(key(1));
    assertThat(c.size()).isZero();
    assertThat(c.bytes()).isZero();
    c.complete(key(1), reply(8, 1), clock.nanos());                        // nothing in progress: ignored
    assertThat(c.size()).isZero();
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.MISS);
    c.complete(key(1), reply(8, 2), clock.nanos());
    c.abandon(key(1));                                                    // done already: kept
    assertThat(((Lookup.Replay) c.begin(key(1), clock.nanos())).reply()).isEqualTo(reply(8, 2));
    assertThat(count(RpcStat.DRC_NOT_CACHED)).isEqualTo(1);
  }

  // ------------------------------------------------------------------ keys

  static Stream<Arguments> otherCalls() {
    return Stream.of(
        Arguments.of("another address", (UnaryOperator<DrcKey>) k -> new DrcKey(B, k.xid(), k.program(), k.version(), k.procedure(), k.argLength(), k.checksum())),
        Arguments.of("another xid", (UnaryOperator<DrcKey>) k -> new DrcKey(k.client(), k.xid() + 1, k.program(), k.version(), k.procedure(), k.argLength(), k.checksum())),
        Arguments.of("another program", (UnaryOperator<DrcKey>) k -> new DrcKey(k.client(), k.xid(), k.program() + 1, k.version(), k.procedure(), k.argLength(), k.checksum())),
        Arguments.of("another version", (UnaryOperator<DrcKey>) k -> new DrcKey(k.client(), k.xid(), k.program(), k.version() + 1, k.procedure(), k.argLength(), k.checksum())),
        Arguments.of("another procedure", (UnaryOperator<DrcKey>) k -> new DrcKey(k.client(), k.xid(), k.program(), k.version(), k.procedure() + 1, k.argLength(), k.checksum())),
        Arguments.of("other arguments' length", (UnaryOperator<DrcKey>) k -> new DrcKey(k.client(), k.xid(), k.program(), k.version(), k.procedure(), k.argLength() + 4, k.checksum())),
        Arguments.of("other arguments", (UnaryOperator<DrcKey>) k -> new DrcKey(k.client(), k.xid(), k.program(), k.version(), k.procedure(), k.argLength(), k.checksum() + 1)));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("otherCalls")
  void theSameXidDifferingInAnyOtherPartIsAMiss(String what, UnaryOperator<DrcKey> change) {
    var c = cache(16, 1 << 20, 4096);
    done(c, key(9), reply(16, 1));
    assertThat(c.begin(change.apply(key(9)), clock.nanos())).isEqualTo(Lookup.MISS);
    assertThat(c.begin(key(9), clock.nanos())).isInstanceOf(Lookup.Replay.class);   // the first is still there
  }

  /** A server-side call as oncrpc4j hands it over: arguments at the Xdr's position. */
  static RpcCall call(String ip, int port, int xid, RpcAuth cred, byte[] args) {
    InetSocketAddress from = new InetSocketAddress(addr(ip), port);
    RpcTransport t = new RpcTransport() {
      @Override public <A> void send(Xdr xdr, A attachment, CompletionHandler<Integer, ? super A> handler) { }
      @Override public ReplyQueue getReplyQueue() { return null; }
      @Override public boolean isOpen() { return true; }
      @Override public InetSocketAddress getLocalSocketAddress() { return new InetSocketAddress(addr("10.9.0.2"), 2049); }
      @Override public InetSocketAddress getRemoteSocketAddress() { return from; }
      @Override public RpcTransport getPeerTransport() { return this; }
      @Override public void startTLS() { }
      @Override public boolean isTLS() { return false; }
    };
    return new RpcCall(xid, 100003, 3, 12, cred, new Xdr(args.clone()), t);
  }

  static RpcAuthTypeUnix unix(int uid, int stamp, String machine) { return new RpcAuthTypeUnix(uid, 100, new int[] {4, 24}, stamp, machine); }

  @Test void theKeyIsTheAddressNotThePortAndCoversTheIdentityAndTheFirst256ArgumentBytes() {
    byte[] args = reply(400, 3);
    DrcKey k = DrcKey.of(call("10.9.0.1", 800, 5, unix(1000, 1, "x"), args));
    assertThat(k.argLength()).isEqualTo(400);
    // a retransmission after a reconnect: another port; a re-encoded credential: another stamp and name
    assertThat(DrcKey.of(call("10.9.0.1", 950, 5, unix(1000, 2, "y"), args))).isEqualTo(k);
    assertThat(DrcKey.of(call("10.9.0.3", 800, 5, unix(1000, 1, "x"), args))).isNotEqualTo(k);
    assertThat(DrcKey.of(call("10.9.0.1", 800, 5, unix(1001, 1, "x"), args))).isNotEqualTo(k);   // another user
    assertThat(DrcKey.of(call("10.9.0.1", 800, 5, new RpcAuthTypeNone(), args))).isNotEqualTo(k);
    byte[] early = args.clone();
    early[255] ^= 1;
    assertThat(DrcKey.of(call("10.9.0.1", 800, 5, unix(1000, 1, "x"), early))).isNotEqualTo(k);
    byte[] late = args.clone();
    late[256] ^= 1;                                                       // past the checksum, as knfsd's
    assertThat(DrcKey.of(call("10.9.0.1", 800, 5, unix(1000, 1, "x"), late))).isEqualTo(k);
    assertThat(DrcKey.of(call("10.9.0.1", 800, 5, unix(1000, 1, "x"), Arrays.copyOf(args, 404)))).isNotEqualTo(k);
  }

  // ------------------------------------------------------------------ bounds

  @Test void theEntryBoundEvictsTheLeastRecentlyUsed() {
    var c = cache(3, 1 << 20, 4096);
    done(c, key(1), reply(10, 1));
    done(c, key(2), reply(10, 2));
    done(c, key(3), reply(10, 3));
    assertThat(c.begin(key(1), clock.nanos())).isInstanceOf(Lookup.Replay.class);   // 1 is now the most recent
    done(c, key(4), reply(10, 4));                                                 // evicts 2
    assertThat(c.size()).isEqualTo(3);
    assertThat(count(RpcStat.DRC_EVICTIONS)).isEqualTo(1);
    assertThat(c.begin(key(1), clock.nanos())).isInstanceOf(Lookup.Replay.class);
    assertThat(c.begin(key(3), clock.nanos())).isInstanceOf(Lookup.Replay.class);
    assertThat(c.begin(key(4), clock.nanos())).isInstanceOf(Lookup.Replay.class);
    assertThat(c.begin(key(2), clock.nanos())).isEqualTo(Lookup.MISS);             // evicts 1, now least recent
    assertThat(count(RpcStat.DRC_EVICTIONS)).isEqualTo(2);
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.MISS);             // evicts 3
    assertThat(c.begin(key(5), clock.nanos())).isEqualTo(Lookup.MISS);             // evicts 4
    assertThat(count(RpcStat.DRC_EVICTIONS)).isEqualTo(4);
    assertThat(c.begin(key(6), clock.nanos())).isEqualTo(Lookup.FULL);              // 2, 1 and 5 all running
    assertThat(c.size()).isEqualTo(3);
  }

  @Test void theByteBoundEvictsTheLeastRecentlyUsedUntilTheReplyFits() {
    long max = 3L * (ENTRY_OVERHEAD + 100);
    var c = cache(100, max, 300);
    done(c, key(1), reply(100, 1));
    done(c, key(2), reply(100, 2));
    done(c, key(3), reply(100, 3));
    assertThat(c.bytes()).isEqualTo(max);
    assertThat(count(RpcStat.DRC_EVICTIONS)).isZero();
    done(c, key(4), reply(300, 4));                     // its entry evicts 1; its reply then 2
    assertThat(c.bytes()).isEqualTo(2L * ENTRY_OVERHEAD + 100 + 300).isLessThanOrEqualTo(max);
    assertThat(count(RpcStat.DRC_EVICTIONS)).isEqualTo(2);
    assertThat(c.begin(key(3), clock.nanos())).isInstanceOf(Lookup.Replay.class);
    assertThat(c.begin(key(4), clock.nanos())).isInstanceOf(Lookup.Replay.class);
    assertThat(c.begin(key(2), clock.nanos())).isEqualTo(Lookup.MISS);             // evicts 3: 4 and 2 fit
    assertThat(c.bytes()).isEqualTo(2L * ENTRY_OVERHEAD + 300);
  }

  @Test void runningCallsAreNeverEvictedWhenNothingElseCanGoTheCallRunsUncached() {
    var c = cache(2, 1 << 20, 4096);
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.MISS);
    assertThat(c.begin(key(2), clock.nanos())).isEqualTo(Lookup.MISS);
    assertThat(c.begin(key(3), clock.nanos())).isEqualTo(Lookup.FULL);
    assertThat(count(RpcStat.DRC_FULL)).isEqualTo(1);
    assertThat(c.size()).isEqualTo(2);
    c.complete(key(1), reply(10, 1), clock.nanos());
    assertThat(c.begin(key(3), clock.nanos())).isEqualTo(Lookup.MISS);             // 1 evicted, 2 still running
    assertThat(c.begin(key(2), clock.nanos())).isEqualTo(Lookup.IN_PROGRESS);
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.FULL);
  }

  @Test void aReplyOverTheCapIsNotKeptAndItsRetransmissionRunsAgain() {
    var c = cache(16, 1 << 20, 64);
    done(c, key(1), reply(65, 1));
    assertThat(count(RpcStat.DRC_NOT_CACHED)).isEqualTo(1);
    assertThat(c.size()).isZero();
    assertThat(c.bytes()).isZero();
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.MISS);
    c.complete(key(1), reply(64, 1), clock.nanos());                               // at the cap: kept
    assertThat(c.begin(key(1), clock.nanos())).isInstanceOf(Lookup.Replay.class);
  }

  @Test void aFloodOfDistinctCallsStaysWithinBothBounds() {
    long max = 50L * (ENTRY_OVERHEAD + 64);
    var c = cache(80, max, 512);
    for (int i = 0; i < 10_000; i++) {
      Lookup l = c.begin(new DrcKey(A, i, 1, 1, 1, i % 512, i), clock.nanos());
      assertThat(l).isEqualTo(Lookup.MISS);
      c.complete(new DrcKey(A, i, 1, 1, 1, i % 512, i), reply(i % 512, i), clock.nanos());
      assertThat(c.size()).isLessThanOrEqualTo(80);
      assertThat(c.bytes()).isLessThanOrEqualTo(max);
    }
    assertThat(count(RpcStat.DRC_EVICTIONS)).isGreaterThan(9_000);
  }

  // ------------------------------------------------------------------ age

  @Test void aReplyExpiresAfterTheMaxAgeSinceItWasLastUsed() {
    var c = cache(16, 1 << 20, 4096);
    done(c, key(1), reply(10, 1));
    clock.advance(AGE.minusNanos(1));
    assertThat(c.begin(key(1), clock.nanos())).isInstanceOf(Lookup.Replay.class);  // a hit restarts its age
    clock.advance(AGE.minusNanos(1));
    assertThat(c.begin(key(1), clock.nanos())).isInstanceOf(Lookup.Replay.class);
    clock.advance(AGE);
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.MISS);
    assertThat(count(RpcStat.DRC_EXPIRED)).isEqualTo(1);
    assertThat(c.size()).isEqualTo(1);                                             // the new, running entry
    assertThat(c.bytes()).isEqualTo(ENTRY_OVERHEAD);
  }

  @Test void expiryDropsEveryOldEntryButNotRunningOnes() {
    var c = cache(16, 1 << 20, 4096);
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.MISS);             // runs long
    done(c, key(2), reply(10, 2));
    done(c, key(3), reply(10, 3));
    clock.advance(AGE.plusSeconds(1));
    done(c, key(4), reply(10, 4));                                                 // 2 and 3 expire on the way
    assertThat(count(RpcStat.DRC_EXPIRED)).isEqualTo(2);
    assertThat(c.size()).isEqualTo(2);
    assertThat(c.begin(key(1), clock.nanos())).isEqualTo(Lookup.IN_PROGRESS);       // still running, still dropped
    c.complete(key(1), reply(10, 1), clock.nanos());
    assertThat(c.begin(key(1), clock.nanos())).isInstanceOf(Lookup.Replay.class);
  }

  @Test void boundsThatCannotHoldOneEntryAreRefused() {
    assertThatThrownBy(() -> cache(0, 1 << 20, 4096)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cache(16, ENTRY_OVERHEAD + 4095, 4096)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DuplicateRequestCache(16, 1 << 20, Duration.ZERO, 4096, counters)).isInstanceOf(IllegalArgumentException.class);
  }
}
