package io.tapnfs.netstack.ipv4;

import static io.tapnfs.netstack.ipv4.ReassemblyStat.REASM_DUPLICATES;
import static io.tapnfs.netstack.ipv4.ReassemblyStat.REASM_FAILS;
import static io.tapnfs.netstack.ipv4.ReassemblyStat.REASM_OKS;
import static io.tapnfs.netstack.ipv4.ReassemblyStat.REASM_OVERLAPS;
import static io.tapnfs.netstack.ipv4.ReassemblyStat.REASM_REQDS;
import static io.tapnfs.netstack.ipv4.ReassemblyStat.REASM_TIMEOUTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ReassemblerTest {
  static final Ipv4Address SRC = Ipv4Address.parse("192.0.2.1");
  static final Ipv4Address DST = Ipv4Address.parse("192.0.2.2");
  static final int UDP = 17;
  static final long T0 = 5_000_000_000L;
  static final long TIMEOUT = ReassemblyConfig.DEFAULTS.timeoutNanos();
  static final int COST = 1480 + Reassembler.FRAGMENT_OVERHEAD;

  final Map<DropReason, Integer> drops = new EnumMap<>(DropReason.class);
  Reassembler r = reassembler(ReassemblyConfig.DEFAULTS);

  Reassembler reassembler(ReassemblyConfig cfg) { return new Reassembler(cfg, x -> drops.merge(x, 1, Integer::sum)); }

  int drops(DropReason reason) { return drops.getOrDefault(reason, 0); }

  long stat(ReassemblyStat s) { return r.counters().get(s); }

  /** One fragment of {@code whole}: its bytes are read from {@code whole} at {@code off}, with a nonzero position. */
  record Frag(int id, int off, int len, boolean mf) {}

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A fake header plus first 8 payload bytes, marked with the id so a test can tell quotes apart. */
  static ByteBuffer quote(int id) {
    ByteBuffer q = ByteBuffer.allocate(40);
    q.put(12, (byte) 0x45).putShort(16, (short) id);
    return q.position(12).limit(40);
  }

  static List<Frag> split(int id, int total, int per) {
    List<Frag> out = new ArrayList<>();
    for (int off = 0; off < total; off += per) out.add(new Frag(id, off, Math.min(per, total - off), off + per < total));
    return out;
  }

  ByteBuffer feed(long now, Frag f, byte[] whole) throws Malformed {
    return feed(now, f, whole, UDP);
  }

  ByteBuffer feed(long now, Frag f, byte[] whole, int protocol) throws Malformed {
    ByteBuffer p = ByteBuffer.wrap(whole, f.off, f.len);     // position f.off, like a caller's frame
    return r.accept(now, SRC, DST, protocol, f.id, f.off, f.mf, p, f.off == 0 ? quote(f.id) : null);
  }

  ByteBuffer feedBytes(long now, int id, int off, boolean mf, byte[] data) throws Malformed {
    return r.accept(now, SRC, DST, UDP, id, off, mf, ByteBuffer.wrap(data), off == 0 ? quote(id) : null);
  }

  DropReason rejected(long now, int id, int off, boolean mf, byte[] data) {
    Malformed m = catchThrowableOfType(Malformed.class, () -> feedBytes(now, id, off, mf, data));
    assertThat(m).as("fragment %d+%d of %d rejected", off, data.length, id).isNotNull();
    return m.reason();
  }

  void assertEmpty() {
    assertThat(r.pendingDatagrams()).isZero();
    assertThat(r.memoryUsed()).isZero();
    assertThat(r.nextDeadline()).isEqualTo(Long.MAX_VALUE);
  }

  // ---------------------------------------------------------------- ordering

  static Stream<Arguments> orders() {
    List<Arguments> a = new ArrayList<>();
    a.add(Arguments.of("in order", -1L));
    a.add(Arguments.of("reverse", -2L));
    for (long seed = 1; seed <= 8; seed++) a.add(Arguments.of("shuffled, seed " + seed, seed));
    return a.stream();
  }

  @ParameterizedTest(name = "{0}") @MethodSource("orders")
  void largestDatagramIn1480ByteFragmentsInAnyOrder(String name, long seed) throws Malformed {
    byte[] whole = bytes(Reassembler.MAX_PAYLOAD, 42);
    List<Frag> frags = split(7, whole.length, 1480);
    assertThat(frags).hasSize(45);
    if (seed == -2) Collections.reverse(frags);
    else if (seed > 0) Collections.shuffle(frags, new Random(seed));

    ByteBuffer out = null;
    for (int i = 0; i < frags.size(); i++) {
      out = feed(T0 + i, frags.get(i), whole);
      if (i < frags.size() - 1) {
        assertThat(out).as("after %d of %d", i + 1, frags.size()).isNull();
        assertThat(r.memoryUsed()).isEqualTo((i + 1L) * Reassembler.FRAGMENT_OVERHEAD
            + frags.subList(0, i + 1).stream().mapToInt(Frag::len).sum());
      }
    }
    assertThat(out).isNotNull();
    assertThat(out.position()).isZero();
    assertThat(out.limit()).isEqualTo(whole.length);
    assertThat(out.hasArray()).isTrue();
    assertThat(out).isEqualTo(ByteBuffer.wrap(whole));
    assertThat(stat(REASM_REQDS)).isEqualTo(45);
    assertThat(stat(REASM_OKS)).isEqualTo(1);
    assertThat(stat(REASM_FAILS)).isZero();
    assertThat(drops).isEmpty();
    assertEmpty();
  }

  @Test void callerMayReuseItsBuffersAfterAccept() throws Malformed {
    byte[] a = bytes(16, 1), b = bytes(8, 2);
    byte[] frame = a.clone();
    ByteBuffer q = quote(3);
    ByteBuffer p = ByteBuffer.wrap(frame);
    assertThat(r.accept(T0, SRC, DST, UDP, 3, 0, true, p, q)).isNull();
    assertThat(p.position()).isZero();                 // not consumed
    assertThat(q.position()).isEqualTo(12);
    java.util.Arrays.fill(frame, (byte) 0);
    q.put(q.position(), (byte) 0).putShort(16, (short) 0);

    assertThat(feedBytes(T0 + 1, 4, 8, true, b)).isNull();             // keeps 4 pending
    ByteBuffer out = feedBytes(T0, 3, 16, false, b);
    assertThat(out.array()).startsWith(a).endsWith(b);

    ByteBuffer q5 = quote(5);
    assertThat(r.accept(T0 + 2, SRC, DST, UDP, 5, 0, true, ByteBuffer.wrap(a), q5)).isNull();
    q5.putShort(16, (short) 0);
    List<Reassembler.Expired> e = r.expire(T0 + 2 + TIMEOUT);
    assertThat(e).extracting(Reassembler.Expired::headerAndFirst8).containsExactly(null, quote(5));
  }

  @Test void interleavedDatagramsAreKeptApartByIdAndProtocol() throws Malformed {
    byte[] one = bytes(4000, 1), two = bytes(3000, 2), other = bytes(4000, 3);
    List<Frag> a = split(1, one.length, 1000), b = split(2, two.length, 1000), c = split(1, other.length, 1000);
    List<ByteBuffer> done = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      if (i < a.size()) { ByteBuffer x = feed(T0, a.get(i), one); if (x != null) done.add(x); }
      if (i < b.size()) { ByteBuffer x = feed(T0, b.get(i), two); if (x != null) done.add(x); }
      if (i < c.size()) { ByteBuffer x = feed(T0, c.get(i), other, 6); if (x != null) done.add(x); }
    }
    assertThat(done).containsExactly(ByteBuffer.wrap(two), ByteBuffer.wrap(one), ByteBuffer.wrap(other));
    assertThat(stat(REASM_OKS)).isEqualTo(3);
    assertEmpty();
  }

  // ---------------------------------------------------------------- duplicates

  @Test void exactDuplicatesAreIgnoredAndCounted() throws Malformed {
    byte[] whole = bytes(5000, 9);
    List<Frag> frags = split(4, whole.length, 1480);   // 0, 1480, 2960, 4440 (last)
    assertThat(feed(T0, frags.get(0), whole)).isNull();
    assertThat(feed(T0, frags.get(0), whole)).isNull();            // at once
    assertThat(feed(T0, frags.get(3), whole)).isNull();
    assertThat(feed(T0, frags.get(3), whole)).isNull();            // the last one
    assertThat(feed(T0, frags.get(1), whole)).isNull();
    assertThat(feed(T0, frags.get(0), whole)).isNull();            // much later
    long held = r.memoryUsed();
    assertThat(held).isEqualTo(1480 + 1480 + 560 + 3L * Reassembler.FRAGMENT_OVERHEAD);
    assertThat(feed(T0, frags.get(2), whole)).isEqualTo(ByteBuffer.wrap(whole));
    assertThat(stat(REASM_DUPLICATES)).isEqualTo(3);
    assertThat(stat(REASM_REQDS)).isEqualTo(7);
    assertThat(stat(REASM_OKS)).isEqualTo(1);
    assertThat(stat(REASM_FAILS)).isZero();
    assertThat(drops).isEmpty();
    assertEmpty();
  }

  // ---------------------------------------------------------------- overlaps

  /** Held: 800 bytes at 800 (MF). Then a second fragment of the same datagram. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "overlaps the start,         400,  800, true",
      "overlaps the end,           1200, 800, true",
      "contained,                  1000, 200, true",
      "containing,                 400, 2000, true",
      "'same offset, other bytes',   800,  800, true",
      "'same offset, shorter',       800,  400, true",
      "'same offset, longer',        800, 1600, true",
      "'same offset, final',         800,  800, false",
      "its last 8 bytes,           1592,   8, true",
  })
  void overlapDiscardsTheDatagramAndPoisonsItsKeyUntilTimeout(String shape, int off, int len, boolean mf)
      throws Malformed {
    byte[] held = bytes(800, 1);
    assertThat(feedBytes(T0, 9, 800, true, held)).isNull();
    byte[] second = bytes(len, 2);
    assertThat(rejected(T0 + 1, 9, off, mf, second)).isEqualTo(DropReason.IPV4_FRAG_OVERLAP);
    assertThat(r.memoryUsed()).isZero();
    assertThat(r.pendingDatagrams()).isEqualTo(1);                   // remembered, poisoned
    assertThat(r.nextDeadline()).isEqualTo(T0 + TIMEOUT);            // its first fragment's deadline
    assertThat(stat(REASM_OVERLAPS)).isEqualTo(1);

    // RFC 5722: the rest of the datagram is dropped too, even what would have completed it.
    assertThat(rejected(T0 + 2, 9, 0, true, bytes(800, 3))).isEqualTo(DropReason.IPV4_FRAG_OVERLAP);
    assertThat(rejected(T0 + 3, 9, 800, true, held)).isEqualTo(DropReason.IPV4_FRAG_OVERLAP);
    assertThat(stat(REASM_FAILS)).isEqualTo(3);
    assertThat(r.memoryUsed()).isZero();

    // It expires silently: no Time Exceeded, no timeout counted.
    assertThat(r.expire(T0 + TIMEOUT - 1)).isEmpty();
    assertThat(r.pendingDatagrams()).isEqualTo(1);
    assertThat(r.expire(T0 + TIMEOUT)).isEmpty();
    assertThat(drops).isEmpty();
    assertThat(stat(REASM_TIMEOUTS)).isZero();
    assertEmpty();

    // Afterwards the key is free again.
    byte[] whole = bytes(1600, 4);
    assertThat(feed(T0 + TIMEOUT, new Frag(9, 0, 800, true), whole)).isNull();
    assertThat(feed(T0 + TIMEOUT, new Frag(9, 800, 800, false), whole)).isEqualTo(ByteBuffer.wrap(whole));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      // first fragment (off, len, mf), then second (off, len, mf); none share a byte
      "second last fragment ends later,    800, 800, false, 1600, 800, false",
      "second last fragment ends earlier, 1600, 800, false,  800, 800, false",
      "data beyond the known end,          800, 800, false, 1600, 800, true",
      "last fragment before held data,    1600, 800, true,   800, 800, false",
  })
  void inconsistentEndIsTreatedAsOverlap(String name, int off1, int len1, boolean mf1, int off2, int len2, boolean mf2)
      throws Malformed {
    assertThat(feedBytes(T0, 5, off1, mf1, bytes(len1, 1))).isNull();
    assertThat(rejected(T0, 5, off2, mf2, bytes(len2, 2))).isEqualTo(DropReason.IPV4_FRAG_OVERLAP);
    assertThat(r.memoryUsed()).isZero();
    assertThat(stat(REASM_OVERLAPS)).isEqualTo(1);
    assertThat(rejected(T0, 5, 0, true, bytes(800, 3))).isEqualTo(DropReason.IPV4_FRAG_OVERLAP);
  }

  @Test void adjacentFragmentsDoNotOverlap() throws Malformed {
    byte[] whole = bytes(24, 1);
    assertThat(feed(T0, new Frag(1, 8, 8, true), whole)).isNull();
    assertThat(feed(T0, new Frag(1, 0, 8, true), whole)).isNull();
    assertThat(feed(T0, new Frag(1, 16, 8, false), whole)).isEqualTo(ByteBuffer.wrap(whole));
    assertThat(stat(REASM_OVERLAPS)).isZero();
  }

  @Test void nonFinalFragmentMayEndExactlyAtTheKnownEnd() throws Malformed {
    // Linux accepts this too (ip_frag_queue only refuses data beyond the end).
    byte[] whole = bytes(24, 1);
    assertThat(feed(T0, new Frag(1, 16, 8, false), whole)).isNull();
    assertThat(feed(T0, new Frag(1, 8, 8, true), whole)).isNull();
    assertThat(feed(T0, new Frag(1, 0, 8, true), whole)).isEqualTo(ByteBuffer.wrap(whole));
  }

  // ---------------------------------------------------------------- lengths

  @ParameterizedTest(name = "offset {0}, {1} bytes, MF={2} -> {3}")
  @CsvSource({
      "0,     0,    true,  IPV4_FRAG_BAD_LENGTH",
      "8,     0,    false, IPV4_FRAG_BAD_LENGTH",
      "0,     7,    true,  IPV4_FRAG_BAD_LENGTH",
      "0,     1481, true,  IPV4_FRAG_BAD_LENGTH",
      "1480,  12,   true,  IPV4_FRAG_BAD_LENGTH",
      "65512, 8,    true,  IPV4_FRAG_TOO_LARGE",
      "65512, 4,    false, IPV4_FRAG_TOO_LARGE",
      "65528, 1,    false, IPV4_FRAG_TOO_LARGE",
      "64000, 1520, true,  IPV4_FRAG_TOO_LARGE",
  })
  void badFragmentsAreRejectedAndNothingIsHeld(int off, int len, boolean mf, DropReason reason) {
    assertThat(rejected(T0, 1, off, mf, new byte[len])).isEqualTo(reason);
    assertThat(stat(REASM_REQDS)).isEqualTo(1);
    assertThat(stat(REASM_FAILS)).isEqualTo(1);
    assertEmpty();
  }

  @ParameterizedTest(name = "offset {0}, {1} bytes, MF={2}")
  @CsvSource({
      "65504, 11,   false",     // ends at 65515, the largest payload
      "64000, 1515, false",
      "1480,  1,    false",
      "0,     8,    true",
  })
  void boundaryFragmentsAreAccepted(int off, int len, boolean mf) throws Malformed {
    assertThat(feedBytes(T0, 1, off, mf, new byte[len])).isNull();
    assertThat(r.memoryUsed()).isEqualTo(len + Reassembler.FRAGMENT_OVERHEAD);
    assertThat(stat(REASM_FAILS)).isZero();
  }

  // ---------------------------------------------------------------- timeout

  @Test void timeoutReturnsTheQuoteOnlyWhenFragmentZeroArrived() throws Malformed {
    assertThat(feedBytes(T0, 1, 0, true, new byte[16])).isNull();        // has fragment zero
    assertThat(feedBytes(T0 + 1, 2, 16, true, new byte[16])).isNull();   // has not
    // a later fragment does not push the deadline (RFC 791: the timer starts with the first)
    assertThat(feedBytes(T0 + TIMEOUT / 2, 1, 32, true, new byte[16])).isNull();
    assertThat(r.nextDeadline()).isEqualTo(T0 + TIMEOUT);

    assertThat(r.expire(T0 + TIMEOUT - 1)).isEmpty();
    assertThat(r.pendingDatagrams()).isEqualTo(2);
    List<Reassembler.Expired> e = r.expire(T0 + TIMEOUT);
    assertThat(e).hasSize(1);
    assertThat(e.get(0).src()).isEqualTo(SRC);
    assertThat(e.get(0).dst()).isEqualTo(DST);
    assertThat(e.get(0).headerAndFirst8()).isEqualTo(quote(1));
    assertThat(r.nextDeadline()).isEqualTo(T0 + 1 + TIMEOUT);
    assertThat(r.memoryUsed()).isEqualTo(16 + Reassembler.FRAGMENT_OVERHEAD);

    e = r.expire(T0 + 2 * TIMEOUT);
    assertThat(e).singleElement().satisfies(x -> assertThat(x.headerAndFirst8()).isNull());
    assertThat(drops(DropReason.IPV4_FRAG_TIMEOUT)).isEqualTo(2);
    assertThat(stat(REASM_TIMEOUTS)).isEqualTo(2);
    assertThat(stat(REASM_FAILS)).isEqualTo(2);
    assertEmpty();
  }

  // ---------------------------------------------------------------- bounds

  @Test void memoryCapEvictsTheOldestDatagramsByFirstArrival() throws Malformed {
    r = reassembler(new ReassemblyConfig(TIMEOUT, 4L * COST, 1024));
    assertThat(feedBytes(T0, 1, 0, true, new byte[1480])).isNull();
    assertThat(feedBytes(T0 + 1, 2, 0, true, new byte[1480])).isNull();
    assertThat(feedBytes(T0 + 2, 3, 0, true, new byte[1480])).isNull();
    assertThat(feedBytes(T0 + 3, 1, 1480, true, new byte[1480])).isNull();   // 1 is oldest though just used
    assertThat(r.memoryUsed()).isEqualTo(4L * COST);

    assertThat(feedBytes(T0 + 4, 4, 0, true, new byte[1480])).isNull();
    assertThat(drops(DropReason.IPV4_FRAG_MEMORY_LIMIT)).isEqualTo(1);
    assertThat(r.pendingDatagrams()).isEqualTo(3);
    assertThat(r.memoryUsed()).isEqualTo(3L * COST);
    assertThat(r.nextDeadline()).isEqualTo(T0 + 1 + TIMEOUT);               // 2 is now the oldest

    // the datagram being added to is never the victim: 2 grows, 3 then 4 make room
    assertThat(feedBytes(T0 + 5, 2, 1480, true, new byte[1480])).isNull();
    assertThat(feedBytes(T0 + 6, 2, 2960, true, new byte[1480])).isNull();
    assertThat(drops(DropReason.IPV4_FRAG_MEMORY_LIMIT)).isEqualTo(2);
    assertThat(feedBytes(T0 + 6, 2, 4440, true, new byte[1480])).isNull();
    assertThat(drops(DropReason.IPV4_FRAG_MEMORY_LIMIT)).isEqualTo(3);
    assertThat(r.pendingDatagrams()).isEqualTo(1);
    assertThat(r.memoryUsed()).isEqualTo(4L * COST);
    // 2 alone now needs more than the cap: refused, and 2 (which cannot complete) is freed
    assertThat(rejected(T0 + 7, 2, 5920, false, new byte[8])).isEqualTo(DropReason.IPV4_FRAG_MEMORY_LIMIT);
    assertThat(drops(DropReason.IPV4_FRAG_MEMORY_LIMIT)).isEqualTo(3);
    assertThat(stat(REASM_FAILS)).isEqualTo(4);                               // 3 evictions + 1 refusal
    assertEmpty();
  }

  @Test void fragmentBiggerThanTheWholeCapIsRefusedWithoutEvictingAnything() throws Malformed {
    r = reassembler(new ReassemblyConfig(TIMEOUT, 1000, 1024));
    assertThat(feedBytes(T0, 1, 0, true, new byte[800])).isNull();
    assertThat(rejected(T0, 2, 0, true, new byte[1480])).isEqualTo(DropReason.IPV4_FRAG_MEMORY_LIMIT);
    assertThat(r.pendingDatagrams()).isEqualTo(1);
    assertThat(r.memoryUsed()).isEqualTo(800 + Reassembler.FRAGMENT_OVERHEAD);
    assertThat(drops).isEmpty();                     // the caller counts the thrown reason
    assertThat(stat(REASM_FAILS)).isEqualTo(1);
  }

  @Test void datagramThatCannotFitIsDiscardedWhole() {
    r = reassembler(new ReassemblyConfig(TIMEOUT, 2L * COST, 1024));
    assertThat(catchThrowableOfType(Malformed.class, () -> {
      feedBytes(T0, 1, 0, true, new byte[1480]);
      feedBytes(T0, 1, 1480, true, new byte[1480]);
      feedBytes(T0, 1, 2960, false, new byte[8]);
    }).reason()).isEqualTo(DropReason.IPV4_FRAG_MEMORY_LIMIT);
    assertThat(drops).isEmpty();
    assertEmpty();
  }

  @Test void tooManyDatagramsEvictsTheOldest() throws Malformed {
    r = reassembler(new ReassemblyConfig(TIMEOUT, 1 << 20, 2));
    assertThat(feedBytes(T0, 1, 0, true, new byte[8])).isNull();
    assertThat(feedBytes(T0 + 1, 2, 0, true, new byte[8])).isNull();
    assertThat(feedBytes(T0 + 2, 2, 16, false, new byte[8])).isNull();
    assertThat(feedBytes(T0 + 3, 3, 0, true, new byte[8])).isNull();
    assertThat(drops(DropReason.IPV4_FRAG_TOO_MANY_DATAGRAMS)).isEqualTo(1);
    assertThat(r.pendingDatagrams()).isEqualTo(2);
    assertThat(r.memoryUsed()).isEqualTo(3L * (8 + Reassembler.FRAGMENT_OVERHEAD));
    // fragments of a pending datagram need no new slot
    assertThat(feedBytes(T0 + 4, 2, 8, true, new byte[8])).isNotNull();
    assertThat(feedBytes(T0 + 5, 3, 8, false, new byte[8])).isNotNull();
    assertThat(drops(DropReason.IPV4_FRAG_TOO_MANY_DATAGRAMS)).isEqualTo(1);
    assertThat(stat(REASM_OKS)).isEqualTo(2);
    assertThat(stat(REASM_FAILS)).isEqualTo(1);
    assertEmpty();
  }

  @Test void poisonedKeysTakeASlotButAreEvictedSilently() throws Malformed {
    r = reassembler(new ReassemblyConfig(TIMEOUT, 1 << 20, 2));
    assertThat(feedBytes(T0, 1, 0, true, new byte[16])).isNull();
    assertThat(rejected(T0, 1, 8, true, new byte[16])).isEqualTo(DropReason.IPV4_FRAG_OVERLAP);
    assertThat(feedBytes(T0, 2, 0, true, new byte[8])).isNull();
    assertThat(feedBytes(T0, 3, 0, true, new byte[8])).isNull();   // evicts poisoned 1
    assertThat(drops).isEmpty();
    assertThat(r.pendingDatagrams()).isEqualTo(2);
    assertThat(feedBytes(T0, 1, 0, true, new byte[8])).isNull();   // 1 is a fresh datagram again; evicts 2
    assertThat(drops(DropReason.IPV4_FRAG_TOO_MANY_DATAGRAMS)).isEqualTo(1);
  }

  @Test void completionAndExpiryBothReturnMemoryToZero() throws Malformed {
    byte[] whole = bytes(3000, 5);
    for (Frag f : split(1, whole.length, 1480)) feed(T0, f, whole);
    assertEmpty();
    feed(T0, new Frag(2, 0, 1480, true), whole);
    feed(T0, new Frag(2, 2960, 40, false), whole);
    assertThat(r.memoryUsed()).isEqualTo(1480 + 40 + 2L * Reassembler.FRAGMENT_OVERHEAD);
    assertThat(r.expire(T0 + TIMEOUT)).hasSize(1);
    assertEmpty();
  }
}
