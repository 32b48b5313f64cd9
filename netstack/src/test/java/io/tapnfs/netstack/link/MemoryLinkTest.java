package io.tapnfs.netstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.Clock;
import io.tapnfs.netstack.ManualClock;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class MemoryLinkTest {
  static final long MS = 1_000_000L;
  static final long SEED = 0x5eed_0001L;

  private final ManualClock clock = new ManualClock(0);
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach void stopThreads() { pool.shutdownNow(); }

  private MemoryLink[] pair(Impairments a2b) {
    return MemoryLink.pair("a", "b", 1514, clock, a2b, Impairments.NONE);
  }

  /** A 64-byte frame carrying {@code n} at offset 14. */
  static ByteBuffer frame(int n) {
    ByteBuffer b = ByteBuffer.allocate(64);
    b.putInt(14, n);
    return b;
  }

  /** Reads what is due now. */
  static List<byte[]> drain(MemoryLink l) throws IOException {
    List<byte[]> out = new ArrayList<>();
    ByteBuffer rx = ByteBuffer.allocate(l.maxFrameSize());
    while (true) {
      rx.clear();
      int n = l.read(rx);
      if (n == 0) return out;
      out.add(Arrays.copyOf(rx.array(), n));
    }
  }

  /** Reads everything, jumping the manual clock from one delivery time to the next. */
  List<byte[]> drainAll(MemoryLink l) throws IOException {
    List<byte[]> out = new ArrayList<>(drain(l));
    for (long next; (next = l.nextDeliveryNanos()) != Long.MAX_VALUE; ) {
      clock.advance(java.time.Duration.ofNanos(Math.max(0, next - clock.nanos())));
      out.addAll(drain(l));
    }
    return out;
  }

  static int seq(byte[] f) { return ByteBuffer.wrap(f).getInt(14); }

  // ------------------------------------------------------------------ plain cable

  @Test void framesCrossInBothDirectionsInOrder() throws IOException {
    MemoryLink[] l = MemoryLink.pair(clock);
    assertThat(l[0].name()).isEqualTo("mem-a");
    assertThat(l[0].peer()).isSameAs(l[1]);
    for (int i = 0; i < 3; i++) l[0].write(frame(i));
    l[1].write(frame(100));
    assertThat(drain(l[1])).extracting(MemoryLinkTest::seq).containsExactly(0, 1, 2);
    assertThat(drain(l[0])).extracting(MemoryLinkTest::seq).containsExactly(100);
    assertThat(l[0].txStats().delivered()).isEqualTo(3);
    assertThat(l[1].rxStats().written()).isEqualTo(3);
  }

  @Test void writeCopiesTheFrameAndLeavesItsPosition() throws IOException {
    MemoryLink[] l = MemoryLink.pair(clock);
    ByteBuffer f = ByteBuffer.allocate(80);
    f.putInt(20, 7).position(6);
    l[0].write(f);
    assertThat(f.position()).isEqualTo(6);
    f.putInt(20, 8);   // the caller still owns its buffer
    ByteBuffer rx = ByteBuffer.allocateDirect(1514);
    rx.position(10);
    assertThat(l[1].read(rx)).isEqualTo(74);
    assertThat(rx.position()).isEqualTo(84);
    assertThat(rx.getInt(10 + 14)).isEqualTo(7);
  }

  @Test void rejectsEmptyAndOversizedFramesAndSmallBuffers() throws IOException {
    MemoryLink[] l = MemoryLink.pair(clock);
    assertThatThrownBy(() -> l[0].write(ByteBuffer.allocate(0))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> l[0].write(ByteBuffer.allocate(1515))).isInstanceOf(IOException.class).hasMessageContaining("1515");
    l[0].write(frame(1));
    assertThatThrownBy(() -> l[1].read(ByteBuffer.allocate(10))).isInstanceOf(IllegalArgumentException.class);
    assertThat(drain(l[1])).hasSize(1);   // still there
  }

  @Test void closeMakesReadThrowEofAndUnplugsTheCable() throws IOException {
    MemoryLink[] l = MemoryLink.pair(clock);
    l[0].write(frame(1));
    l[1].close();
    l[1].close();   // idempotent
    assertThatThrownBy(() -> l[1].read(ByteBuffer.allocate(1514))).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> l[1].write(frame(2))).isInstanceOf(ClosedChannelException.class);
    l[1].await(-1);   // returns: the next read throws
    l[0].write(frame(3));
    assertThat(l[0].txStats().peerClosed()).isEqualTo(1);
    assertThat(l[1].framesInFlight()).isZero();
  }

  // ------------------------------------------------------------------ impairments

  @Test void sameSeedGivesTheSameDeliveriesAndAnotherSeedDoesNot() throws IOException {
    Impairments imp = new Impairments(SEED, 0.1, 0.1, 0.1, 2 * MS, MS, 0.1, 100_000_000L, 0);
    List<String> first = run(imp), second = run(imp), other = run(imp.withSeed(SEED + 1));
    assertThat(first).hasSizeGreaterThan(400).isEqualTo(second).isNotEqualTo(other);
  }

  private List<String> run(Impairments imp) throws IOException {
    ManualClock c = new ManualClock(0);
    MemoryLink[] l = MemoryLink.pair("a", "b", 1514, c, imp, Impairments.NONE);
    List<String> seen = new ArrayList<>();
    ByteBuffer rx = ByteBuffer.allocate(1514);
    for (int i = 0; i < 500 || l[1].nextDeliveryNanos() != Long.MAX_VALUE; i++) {
      if (i < 500) l[0].write(frame(i));
      c.advance(java.time.Duration.ofNanos(100_000));
      for (int n; rx.clear() != null && (n = l[1].read(rx)) > 0; )
        seen.add(c.nanos() + ":" + java.util.HexFormat.of().formatHex(rx.array(), 0, n));
    }
    return seen;
  }

  @Test void lossRateIsRoughlyAsConfigured() throws IOException {
    MemoryLink[] l = pair(Impairments.NONE.withSeed(SEED).withLoss(0.01));
    int got = 0;
    for (int i = 0; i < 10_000; i++) {
      l[0].write(frame(i));
      got += drain(l[1]).size();
    }
    MemoryLink.Stats s = l[0].txStats();
    assertThat(s.lost()).isBetween(60L, 140L);   // 100 expected, sd ~10
    assertThat(s.delivered()).isEqualTo(got).isEqualTo(10_000 - s.lost());
  }

  @Test void duplicateDeliversTwice() throws IOException {
    MemoryLink[] l = pair(Impairments.NONE.withSeed(SEED).withDuplicate(1.0));
    for (int i = 0; i < 3; i++) l[0].write(frame(i));
    assertThat(drain(l[1])).extracting(MemoryLinkTest::seq).containsExactly(0, 0, 1, 1, 2, 2);
    assertThat(l[0].txStats().duplicated()).isEqualTo(3);
    assertThat(l[0].txStats().delivered()).isEqualTo(6);
  }

  @Test void reorderDeliversAHeldFrameAfterTheNextOne() throws IOException {
    MemoryLink[] l = pair(Impairments.NONE.withSeed(SEED).withReorder(0.3));
    for (int i = 0; i < 200; i++) l[0].write(frame(i));
    List<Integer> got = drainAll(l[1]).stream().map(MemoryLinkTest::seq).toList();
    assertThat(got).hasSize(200).doesNotHaveDuplicates().isNotEqualTo(got.stream().sorted().toList());
    long inversions = 0;
    for (int i = 1; i < got.size(); i++) if (got.get(i) < got.get(i - 1)) inversions++;
    assertThat(l[0].txStats().reordered()).isPositive().isEqualTo(inversions);
  }

  @Test void theLastHeldFrameIsReleasedWhenItsHoldExpires() throws IOException {
    MemoryLink[] l = pair(Impairments.NONE.withSeed(SEED).withReorder(1.0));
    l[0].write(frame(1));
    assertThat(drain(l[1])).isEmpty();
    assertThat(l[1].nextDeliveryNanos()).isEqualTo(MemoryLink.REORDER_HOLD_NANOS);
    clock.advance(java.time.Duration.ofNanos(MemoryLink.REORDER_HOLD_NANOS - 1));
    assertThat(drain(l[1])).isEmpty();
    clock.advance(java.time.Duration.ofNanos(1));
    assertThat(drain(l[1])).extracting(MemoryLinkTest::seq).containsExactly(1);
    assertThat(l[0].txStats().reordered()).isZero();   // nothing overtook it
  }

  @Test void corruptFlipsExactlyOneBit() throws IOException {
    MemoryLink[] l = pair(Impairments.NONE.withSeed(SEED).withCorrupt(1.0));
    Set<Integer> flipped = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      ByteBuffer f = frame(i);
      byte[] sent = f.array().clone();
      l[0].write(f);
      byte[] got = drain(l[1]).get(0);
      int bits = 0;
      for (int j = 0; j < sent.length; j++) {
        bits += Integer.bitCount((sent[j] ^ got[j]) & 0xff);
        if (sent[j] != got[j]) flipped.add(j);
      }
      assertThat(bits).isEqualTo(1);
    }
    assertThat(flipped).hasSizeGreaterThan(10);   // not always the same byte
    assertThat(l[0].txStats().corrupted()).isEqualTo(50);
  }

  @Test void delayIsRespectedOnAManualClock() throws IOException {
    MemoryLink[] l = pair(Impairments.NONE.withDelayNanos(5 * MS));
    l[0].write(frame(1));
    assertThat(drain(l[1])).isEmpty();
    assertThat(l[1].nextDeliveryNanos()).isEqualTo(5 * MS);
    clock.advanceMillis(4);
    l[1].await(-1);   // manual clock: returns at once, never blocks
    assertThat(drain(l[1])).isEmpty();
    clock.advanceMillis(1);
    assertThat(drain(l[1])).hasSize(1);
    assertThat(l[1].nextDeliveryNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test void jitterStaysWithinItsBound() throws IOException {
    MemoryLink[] l = pair(Impairments.NONE.withSeed(SEED).withDelayNanos(MS).withJitterNanos(MS));
    for (int i = 0; i < 100; i++) l[0].write(frame(i));
    clock.advance(java.time.Duration.ofNanos(MS - 1));
    assertThat(drain(l[1])).isEmpty();
    clock.advance(java.time.Duration.ofNanos(MS + 1));
    assertThat(drain(l[1])).hasSize(100);
  }

  @Test void rateLimitSpacesFramesExactly() throws IOException {
    // 1000 bytes at 8 Mbit/s: 1 ms each.
    MemoryLink[] l = MemoryLink.pair("a", "b", 1514, clock, Impairments.NONE.withRate(8_000_000L), Impairments.NONE);
    for (int i = 0; i < 3; i++) l[0].write(ByteBuffer.allocate(1000));
    for (int i = 1; i <= 3; i++) {
      assertThat(l[1].nextDeliveryNanos()).isEqualTo(i * MS);
      clock.advance(java.time.Duration.ofNanos(i * MS - clock.nanos() - 1));
      assertThat(drain(l[1])).isEmpty();
      clock.advance(java.time.Duration.ofNanos(1));
      assertThat(drain(l[1])).hasSize(1);
    }
    // After the link went idle, the next frame departs from now, not from the last departure.
    clock.advanceMillis(10);
    l[0].write(ByteBuffer.allocate(125));   // 1000 bits: 125 us
    assertThat(l[1].nextDeliveryNanos()).isEqualTo(clock.nanos() + 125_000);
    assertThat(MemoryLink.serializationNanos(1, 3)).isEqualTo(2_666_666_667L);   // rounded up
  }

  @Test void queueLimitTailDrops() throws IOException {
    MemoryLink[] l = pair(Impairments.NONE.withQueueLimit(3).withDelayNanos(MS));
    for (int i = 0; i < 5; i++) l[0].write(frame(i));
    assertThat(l[1].framesInFlight()).isEqualTo(3);
    assertThat(l[0].txStats().queueDropped()).isEqualTo(2);
    assertThat(drainAll(l[1])).extracting(MemoryLinkTest::seq).containsExactly(0, 1, 2);
    l[0].write(frame(5));   // room again
    assertThat(drainAll(l[1])).extracting(MemoryLinkTest::seq).containsExactly(5);
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.1, 1.1, Double.NaN})
  void impairmentsRejectBadProbabilities(double p) {
    assertThatThrownBy(() -> Impairments.NONE.withLoss(p)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test void impairmentsWithers() {
    Impairments i = Impairments.NONE.withSeed(3).withLoss(0.5).withDelay(java.time.Duration.ofMillis(2))
        .withJitter(java.time.Duration.ofMillis(1)).withQueueLimit(9);
    assertThat(i).isEqualTo(new Impairments(3, 0.5, 0, 0, 2 * MS, MS, 0, 0, 9));
    assertThat(Impairments.NONE.withSeed(5).isNone()).isTrue();
    assertThat(i.isNone()).isFalse();
  }

  // ------------------------------------------------------------------ real clock, threads

  @Test void awaitOnARealClockReturnsWhenAFrameArrives() throws Exception {
    MemoryLink[] l = MemoryLink.pair(Clock.SYSTEM);
    Future<Integer> reader = pool.submit(() -> {
      ByteBuffer rx = ByteBuffer.allocate(1514);
      int n;
      while ((n = l[1].read(rx)) == 0) l[1].await(-1);
      return n;
    });
    l[0].write(frame(1));
    assertThat(reader.get(5, TimeUnit.SECONDS)).isEqualTo(64);
  }

  @Test void awaitOnARealClockWaitsForADelayedFrame() throws Exception {
    MemoryLink[] l = MemoryLink.pair("a", "b", 1514, Clock.SYSTEM, Impairments.NONE.withDelayNanos(20 * MS), Impairments.NONE);
    long t0 = System.nanoTime();
    l[0].write(frame(1));
    l[1].await(-1);
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(20 * MS);
    assertThat(drain(l[1])).hasSize(1);
  }

  @Test void wakeupReleasesAnAwaitOnARealClock() throws Exception {
    MemoryLink[] l = MemoryLink.pair(Clock.SYSTEM);
    Future<?> waiter = pool.submit(() -> { l[1].await(-1); return null; });
    l[1].wakeup();
    waiter.get(5, TimeUnit.SECONDS);
    Future<?> waiter2 = pool.submit(() -> { l[1].await(-1); return null; });
    l[1].close();
    waiter2.get(5, TimeUnit.SECONDS);
  }

  @Test void awaitOnARealClockTimesOut() throws IOException {
    MemoryLink[] l = MemoryLink.pair(Clock.SYSTEM);
    long t0 = System.nanoTime();
    l[1].await(10 * MS);
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(10 * MS);
  }

  @Test void concurrentWritersLoseNothing() throws Exception {
    MemoryLink[] l = MemoryLink.pair(Clock.SYSTEM);
    int writers = 4, each = 2_000;
    List<Future<?>> fs = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int base = w * each;
      fs.add(pool.submit(() -> {
        for (int i = 0; i < each; i++) l[0].write(frame(base + i));
        return null;
      }));
    }
    Set<Integer> got = new HashSet<>();
    ByteBuffer rx = ByteBuffer.allocate(1514);
    while (got.size() < writers * each) {
      rx.clear();
      if (l[1].read(rx) > 0) got.add(rx.getInt(14));
      else l[1].await(100 * MS);
    }
    for (Future<?> f : fs) f.get();
    assertThat(got).hasSize(writers * each);
    assertThat(l[0].txStats().delivered()).isEqualTo(writers * each);
  }
}
