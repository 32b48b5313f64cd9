package io.tapnfs.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sequence numbers are offsets from a base; the parameterized tests run at bases that put the
 * data across 2^31 and across 2^32. Every byte's value is a function of its sequence number (and
 * a "version", to tell a retransmission's bytes from the original's), so the text that comes out
 * can be checked byte by byte.
 */
class OutOfOrderQueueTest {
  static byte at(int seq, int version) { return (byte) (seq * 31 + (seq >>> 11) + version * 101); }

  /** {@code len} bytes for {@code [seq, seq + len)}, at a nonzero position in a larger buffer. */
  static ByteBuffer text(int seq, int len, int version) {
    ByteBuffer b = ByteBuffer.allocate(len + 10);
    for (int i = 0; i < len; i++) b.put(5 + i, at(seq + i, version));
    return b.position(5).limit(5 + len);
  }

  static ByteBuffer text(int seq, int len) { return text(seq, len, 0); }

  /** Checks the drained text is {@code [from, from + len)} of the given version, and returns its length. */
  static int assertText(List<ByteBuffer> drained, int from, int version) {
    int seq = from;
    for (ByteBuffer b : drained) {
      for (int i = b.position(); i < b.limit(); i++, seq++) {
        assertThat(b.get(i)).as("byte at seq %x", seq).isEqualTo(at(seq, version));
      }
    }
    return seq - from;
  }

  static int total(List<ByteBuffer> drained) {
    int n = 0;
    for (ByteBuffer b : drained) n += b.remaining();
    return n;
  }

  static String offsets(int base, List<int[]> ranges) {
    StringBuilder b = new StringBuilder();
    for (int[] r : ranges) b.append(b.length() == 0 ? "" : " ").append(r[0] - base).append('-').append(r[1] - base);
    return b.toString();
  }

  static int parseBase(String s) { return Integer.parseUnsignedInt(s.substring(2), 16); }

  OutOfOrderQueue q = new OutOfOrderQueue(64 * 1024, 64);

  // ---- insert and drain

  @ParameterizedTest(name = "base {0}")
  @ValueSource(strings = {"0x0", "0x7fffff00", "0xffffff00"})
  void drainsTheContiguousRunAtRcvNxt(String baseHex) {
    int b = parseBase(baseHex);
    assertThat(q.insert(b + 300, text(b + 300, 100))).isTrue();
    assertThat(q.insert(b + 100, text(b + 100, 100))).isTrue();
    assertThat(q.insert(b + 200, text(b + 200, 100))).isTrue();
    assertThat(q.insert(b + 500, text(b + 500, 100))).isTrue();
    assertThat(q.bytesHeld()).isEqualTo(400);
    assertThat(q.segments()).isEqualTo(4);

    assertThat(q.drain(b + 50)).isEmpty();           // a gap at RCV.NXT
    // The caller accepted 50-100 itself; the run 100-400 follows it.
    List<ByteBuffer> out = q.drain(b + 100);
    assertThat(assertText(out, b + 100, 0)).isEqualTo(300);
    assertThat(out).allSatisfy(x -> assertThat(x.position()).isZero());
    assertThat(q.bytesHeld()).isEqualTo(100);
    assertThat(q.drain(b + 400)).isEmpty();
    assertThat(assertText(q.drain(b + 500), b + 500, 0)).isEqualTo(100);
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.trimmedBytes()).isZero();
  }

  @Test void insertCopiesAndDoesNotMoveTheBuffer() {
    ByteBuffer t = text(100, 50);
    q.insert(100, t);
    assertThat(t.position()).isEqualTo(5);
    assertThat(t.remaining()).isEqualTo(50);
    t.put(5, (byte) 0x55).put(6, (byte) 0x66);       // the caller reuses its buffer
    assertThat(assertText(q.drain(100), 100, 0)).isEqualTo(50);
    assertThat(q.insert(200, ByteBuffer.allocate(0))).isFalse();
    assertThat(q.isEmpty()).isTrue();
  }

  @ParameterizedTest(name = "held {0}, insert {1}")
  @CsvSource({
      // held segments | new segment | stored? | segments after | trimmed
      "'200-300', '150-350', true,  3, 100",   // overlaps both sides: the two ends are new
      "'200-300', '150-250', true,  2, 50",    // overlaps the front of what is held
      "'200-300', '250-350', true,  2, 50",    // overlaps the back
      "'200-300', '220-280', false, 1, 60",    // inside: a duplicate
      "'200-300', '200-300', false, 1, 100",   // exact duplicate
      "'200-300 400-500', '100-600', true, 5, 200",  // spans two: three new pieces
      "'200-300 300-400', '250-350', false, 2, 100",  // across adjacent segments
      "'200-300', '300-400', true,  2, 0",     // adjacent, no overlap
  })
  void overlapsKeepTheBytesAlreadyHeld(String held, String insert, boolean stored, int segments, int trimmed) {
    for (String baseHex : new String[] {"0x0", "0x7fffff00", "0xffffff00"}) {
      int b = parseBase(baseHex);
      q = new OutOfOrderQueue(64 * 1024, 64);
      for (String h : held.split(" ")) {
        int l = Integer.parseInt(h.split("-")[0]), r = Integer.parseInt(h.split("-")[1]);
        q.insert(b + l, text(b + l, r - l, 0));
      }
      int l = Integer.parseInt(insert.split("-")[0]), r = Integer.parseInt(insert.split("-")[1]);
      assertThat(q.insert(b + l, text(b + l, r - l, 1))).as("base %x", b).isEqualTo(stored);
      assertThat(q.segments()).isEqualTo(segments);
      assertThat(q.trimmedBytes()).isEqualTo(trimmed);
      // Drain everything: held ranges keep version 0, the new bytes are version 1.
      int lowest = Math.min(l, Integer.parseInt(held.split("-")[0]));
      int seq = b + lowest;
      for (ByteBuffer x : q.drain(b + lowest)) {
        for (int i = 0; i < x.remaining(); i++, seq++) {
          boolean wasHeld = false;
          for (String h : held.split(" ")) {
            int hl = b + Integer.parseInt(h.split("-")[0]), hr = b + Integer.parseInt(h.split("-")[1]);
            wasHeld |= seq - hl >= 0 && seq - hr < 0;
          }
          assertThat(x.get(i)).as("seq %x", seq).isEqualTo(at(seq, wasHeld ? 0 : 1));
        }
      }
      assertThat(q.isEmpty()).as("one contiguous run").isTrue();
    }
  }

  @Test void duplicateInsertChangesNothing() {
    assertThat(q.insert(1000, text(1000, 500))).isTrue();
    assertThat(q.insert(1000, text(1000, 500, 1))).isFalse();
    assertThat(q.bytesHeld()).isEqualTo(500);
    assertThat(q.segments()).isEqualTo(1);
    assertThat(q.trimmedBytes()).isEqualTo(500);
    assertThat(assertText(q.drain(1000), 1000, 0)).isEqualTo(500);
  }

  @ParameterizedTest(name = "base {0}")
  @ValueSource(strings = {"0x0", "0x7fffff00", "0xffffff00"})
  void drainTrimsWhatWasAlreadyReceived(String baseHex) {
    int b = parseBase(baseHex);
    q.insert(b + 200, text(b + 200, 100));
    q.insert(b + 300, text(b + 300, 100));
    q.insert(b + 600, text(b + 600, 100));
    // In-order data up to 250 arrived (a retransmission overlapping held bytes): the first 50 go.
    List<ByteBuffer> out = q.drain(b + 250);
    assertThat(assertText(out, b + 250, 0)).isEqualTo(150);
    assertThat(q.trimmedBytes()).isEqualTo(50);
    // In-order data reached past a whole held segment: it is discarded.
    assertThat(q.drain(b + 700)).isEmpty();
    assertThat(q.trimmedBytes()).isEqualTo(150);
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.bytesHeld()).isZero();
  }

  @Test void drainStopsAtMaxLenAndKeepsTheRest() {
    q.insert(100, text(100, 200));
    List<ByteBuffer> out = q.drain(100, 50);
    assertThat(assertText(out, 100, 0)).isEqualTo(50);
    assertThat(q.bytesHeld()).isEqualTo(150);
    assertThat(q.drain(150, 0)).isEmpty();
    assertThat(assertText(q.drain(150), 150, 0)).isEqualTo(150);
    assertThat(q.isEmpty()).isTrue();
    assertThatThrownBy(() -> q.drain(0, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test void aSegmentAcrossTwoToThe32() {
    int b = 0xffff_ff80;
    q.insert(b + 0x40, text(b + 0x40, 0x100));       // 0xffffffc0 .. 0xc0
    q.insert(0xc0, text(0xc0, 0x40));
    assertThat(q.sackBlocks(4)).containsExactly(new int[] {0xffff_ffc0, 0x100});
    assertThat(assertText(q.drain(b + 0x40), b + 0x40, 0)).isEqualTo(0x140);
  }

  @Test void dataTooFarFromWhatIsHeldIsDropped() {
    q.insert(1000, text(1000, 100));
    assertThat(q.insert(1000 + (1 << 30), text(0, 100))).isFalse();
    assertThat(q.insert(1000 + (1 << 31), text(0, 100))).isFalse();
    assertThat(q.insert(1000 - (1 << 30), text(0, 100))).isFalse();
    assertThat(q.droppedBytes()).isEqualTo(300);
    assertThat(q.segments()).isEqualTo(1);
    assertThat(q.insert(1000 + (1 << 30) - 100, text(1000 + (1 << 30) - 100, 100))).isTrue();   // 2^30 apart in all
  }

  // ---- bounds

  @Test void whenFullTheFarEndIsEvictedAndTheNearDataKept() {
    q = new OutOfOrderQueue(3000, 10);
    // RCV.NXT = 0 and 0-100 is lost; later segments fill the queue.
    q.insert(1000, text(1000, 1000));
    q.insert(2000, text(2000, 1000));
    q.insert(3000, text(3000, 1000));
    assertThat(q.bytesHeld()).isEqualTo(3000);
    // Nearer data evicts from the far end.
    assertThat(q.insert(100, text(100, 900))).isTrue();
    assertThat(q.evictedBytes()).isEqualTo(1000);
    assertThat(q.bytesHeld()).isEqualTo(2900);
    // Farther data has nothing farther to evict: what does not fit of it is dropped.
    assertThat(q.insert(5000, text(5000, 1000))).isTrue();
    assertThat(q.bytesHeld()).isEqualTo(3000);
    assertThat(q.droppedBytes()).isEqualTo(900);
    assertThat(q.insert(7000, text(7000, 1000))).isFalse();
    assertThat(q.droppedBytes()).isEqualTo(1900);
    // The in-order segment 0-100 never enters the queue, so a full queue cannot refuse it;
    // the caller appends it and drains what follows.
    assertThat(assertText(q.drain(100), 100, 0)).isEqualTo(2900);
    assertThat(q.sackBlocks(4)).hasSize(1);
  }

  @Test void theSegmentBoundEvictsTheFarEndToo() {
    q = new OutOfOrderQueue(64 * 1024, 2);
    q.insert(1000, text(1000, 100));
    q.insert(2000, text(2000, 100));
    assertThat(q.insert(500, text(500, 100))).isTrue();
    assertThat(q.evictedBytes()).isEqualTo(100);
    assertThat(offsets(0, q.sackBlocks(4))).isEqualTo("500-600 1000-1100");
    assertThat(q.insert(3000, text(3000, 100))).isFalse();
    assertThat(q.droppedBytes()).isEqualTo(100);
    assertThat(q.segments()).isEqualTo(2);
  }

  @Test void aSegmentSpanningHeldDataKeepsItsNearPiecesWhenFull() {
    q = new OutOfOrderQueue(400, 10);
    q.insert(200, text(200, 100));
    q.insert(400, text(400, 100));
    // 100-600 less what is held: 100-200, 300-400, 500-600; only 200 bytes of room.
    assertThat(q.insert(100, text(100, 500))).isTrue();
    assertThat(q.bytesHeld()).isEqualTo(400);
    assertThat(q.trimmedBytes()).isEqualTo(200);
    assertThat(q.droppedBytes()).isEqualTo(100);      // 500-600, the far piece
    assertThat(q.evictedBytes()).isZero();           // nothing held lies above it
    assertThat(assertText(q.drain(100), 100, 0)).isEqualTo(400);
    assertThat(q.isEmpty()).isTrue();
  }

  @Test void boundsAreChecked() {
    assertThatThrownBy(() -> new OutOfOrderQueue(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OutOfOrderQueue(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OutOfOrderQueue((1 << 30) + 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> q.sackBlocks(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  // ---- SACK blocks (RFC 2018 §4)

  /**
   * RFC 2018 §5, the third case: eight 500-byte segments from 5000; the first arrives, then
   * every second one is lost. Left column: the segment that arrives; right: its SACK option.
   */
  @ParameterizedTest(name = "base {0}")
  @ValueSource(strings = {"0x0", "0x7fffe000", "0xffffe000"})
  void rfc2018Example(String baseHex) {
    int b = parseBase(baseHex) - 5000;               // RFC numbers stay readable as offsets
    int rcvNxt = b + 5500;                           // 5000 arrived in order
    q.insert(b + 6000, text(b + 6000, 500));
    assertThat(offsets(b, q.sackBlocks(4, b + 6000))).isEqualTo("6000-6500");
    q.insert(b + 7000, text(b + 7000, 500));
    assertThat(offsets(b, q.sackBlocks(4, b + 7000))).isEqualTo("7000-7500 6000-6500");
    q.insert(b + 8000, text(b + 8000, 500));
    assertThat(offsets(b, q.sackBlocks(4, b + 8000))).isEqualTo("8000-8500 7000-7500 6000-6500");
    // "Suppose at this point, the 4th packet is received out of order."
    q.insert(b + 6500, text(b + 6500, 500));
    assertThat(offsets(b, q.sackBlocks(4, b + 6500))).isEqualTo("6000-7500 8000-8500");
    // "Suppose at this point, the 2nd segment is received": in order, it never enters the queue.
    rcvNxt += 500;
    List<ByteBuffer> out = q.drain(rcvNxt);
    rcvNxt += total(out);
    assertThat(rcvNxt).isEqualTo(b + 7500);
    assertThat(offsets(b, q.sackBlocks(4, b + 5500))).isEqualTo("8000-8500");
  }

  @Test void firstBlockHoldsTheTriggeringSegmentEvenADuplicate() {
    q.insert(2000, text(2000, 100));
    q.insert(4000, text(4000, 100));
    q.insert(6000, text(6000, 100));
    // A retransmission of 2000-2100 triggers this ACK.
    assertThat(q.insert(2000, text(2000, 100))).isFalse();
    assertThat(offsets(0, q.sackBlocks(4, 2000))).isEqualTo("2000-2100 6000-6100 4000-4100");
    assertThat(offsets(0, q.sackBlocks(4))).isEqualTo("2000-2100 6000-6100 4000-4100");
    // A segment not held (it advanced RCV.NXT) leads nothing: the recent blocks follow.
    assertThat(offsets(0, q.sackBlocks(4, 1000))).isEqualTo("2000-2100 6000-6100 4000-4100");
  }

  @Test void blocksAreLimitedToMaxBlocksMostRecentFirstThenLowest() {
    for (int i = 1; i <= 12; i++) q.insert(i * 1000, text(i * 1000, 100));   // 12 blocks
    assertThat(offsets(0, q.sackBlocks(4, 12_000))).isEqualTo("12000-12100 11000-11100 10000-10100 9000-9100");
    assertThat(offsets(0, q.sackBlocks(3, 12_000))).isEqualTo("12000-12100 11000-11100 10000-10100");
    assertThat(q.sackBlocks(0, 12_000)).isEmpty();
    // Beyond the segments remembered as recent, the rest come lowest first.
    assertThat(q.sackBlocks(12, 12_000)).hasSize(12);
    assertThat(offsets(0, q.sackBlocks(12, 12_000).subList(8, 12))).isEqualTo("1000-1100 2000-2100 3000-3100 4000-4100");
    // A segment joining two blocks reports the merged block first.
    q.insert(3100, text(3100, 900));
    assertThat(offsets(0, q.sackBlocks(4, 3100))).isEqualTo("3000-4100 12000-12100 11000-11100 10000-10100");
  }

  @Test void drainedSegmentsLeaveTheRecentList() {
    q.insert(2000, text(2000, 100));
    q.insert(3000, text(3000, 100));
    q.drain(2000);
    assertThat(offsets(0, q.sackBlocks(4))).isEqualTo("3000-3100");
    q.drain(3000);
    assertThat(q.sackBlocks(4)).isEmpty();
    q.insert(5000, text(5000, 100));
    q.clear();
    assertThat(q.sackBlocks(4)).isEmpty();
    assertThat(q.bytesHeld()).isZero();
  }

  @Test void manySmallSegmentsStayWithinBothBounds() {
    q = new OutOfOrderQueue(1000, 16);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 200; i++) order.add((i * 37) % 200);   // a fixed shuffle
    for (int i : order) q.insert(1000 + i * 20, text(1000 + i * 20, 10));
    assertThat(q.segments()).isLessThanOrEqualTo(16);
    assertThat(q.bytesHeld()).isLessThanOrEqualTo(1000);
    assertThat(q.droppedBytes() + q.evictedBytes() + q.bytesHeld()).isEqualTo(2000);
    // What is kept is the nearest data: the 16 lowest segments.
    List<int[]> held = new ArrayList<>(q.sackBlocks(16));
    held.sort((x, y) -> Integer.compare(x[0], y[0]));
    List<int[]> lowest = new ArrayList<>();
    for (int i = 0; i < 16; i++) lowest.add(new int[] {1000 + i * 20, 1010 + i * 20});
    assertThat(held).containsExactlyElementsOf(lowest);
    assertThat(offsets(0, q.sackBlocks(1, 1000))).isEqualTo("1000-1010");
  }
}
