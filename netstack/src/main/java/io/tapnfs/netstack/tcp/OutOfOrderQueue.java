package io.tapnfs.netstack.tcp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The receiver's out-of-order queue: segment text that arrived beyond RCV.NXT (RFC 9293
 * §3.10.7.4, "seventh, process the segment text": "Segments with higher beginning sequence
 * numbers SHOULD be held for later processing"), and the SACK blocks that describe it (RFC 2018
 * §4).
 *
 * <p>Sequence numbers are plain {@code int}s, the 32 raw bits, compared wrap-safely as
 * {@code (int) (a - b) < 0} (RFC 1982 serial arithmetic, like {@link SeqNumber}). Ranges are
 * half-open, {@code [left, right)}, as SACK blocks are on the wire. Everything held lies within
 * 2^30 bytes (the largest window, RFC 7323 §2.3); an insert that would stretch it further is
 * dropped, which keeps the wrap-safe order consistent.
 *
 * <p>Overlaps: held bytes win, a new segment is trimmed to what is not yet held (as Linux
 * {@code tcp_data_queue_ofo} keeps the queued skb). Held segments never overlap; adjacent ones
 * are not coalesced.
 *
 * <p>Bounds: at most {@code maxBytes} of data in at most {@code maxSegments} segments. When a new
 * segment does not fit, held segments that lie above it are evicted, highest first, as Linux
 * {@code tcp_prune_ofo_queue} prunes from the far end: data nearer RCV.NXT is delivered sooner
 * and is what the sender retransmits first. What still does not fit, the far end of the new
 * segment, is dropped. The next in-order segment is never at risk (STYLE §8 item 3, smoltcp
 * #452): the caller appends in-order text to its receive buffer directly and only then calls
 * {@link #drain}; that text never enters this queue, whose fullness cannot refuse it.
 *
 * <p>Not supported: D-SACK generation (RFC 2883) is the caller's, as it concerns data below
 * RCV.NXT.
 *
 * <p>Not thread-safe: the connection's event-loop thread only. No I/O and no clock.
 */
public final class OutOfOrderQueue {
  /** RFC 7323 §2.3: the window is at most 2^30 bytes, so nothing held can be further apart. */
  static final int MAX_SPAN = 1 << 30;
  /** Segment start sequence numbers remembered for the order of SACK blocks. */
  private static final int RECENT = 8;

  private final int maxBytes;
  private final int maxSegments;
  /** Start sequence number to bytes, in wrap-safe order; never overlapping. */
  private final TreeMap<Integer, byte[]> segments = new TreeMap<>((a, b) -> Integer.compare(a - b, 0));
  private int bytesHeld;
  /** Start sequence numbers of the most recently received segments, most recent first. */
  private final int[] recent = new int[RECENT];
  private int recentCount;
  private long droppedBytes, evictedBytes, trimmedBytes;

  /**
   * @param maxBytes the most data held, positive, at most 2^30
   * @param maxSegments the most segments held, positive
   */
  public OutOfOrderQueue(int maxBytes, int maxSegments) {
    if (maxBytes <= 0 || maxBytes > MAX_SPAN) throw new IllegalArgumentException("maxBytes " + maxBytes);
    if (maxSegments <= 0) throw new IllegalArgumentException("maxSegments " + maxSegments);
    this.maxBytes = maxBytes;
    this.maxSegments = maxSegments;
  }

  /**
   * Holds the text of a segment that starts beyond RCV.NXT (the caller checked that, and that it
   * is within the receive window). Bytes already held are trimmed off ({@link #trimmedBytes});
   * if the rest does not fit, higher segments are evicted ({@link #evictedBytes}) and what still
   * does not fit is dropped from the far end ({@link #droppedBytes}).
   *
   * @param seq the sequence number of the first byte of {@code data}
   * @param data the text, {@code position()..limit()}; copied, its position not moved
   * @return whether any new byte was stored
   */
  public boolean insert(int seq, ByteBuffer data) {
    int len = data.remaining();
    if (len == 0) return false;
    if (!fitsSpan(seq, len)) {
      droppedBytes += len;
      return false;
    }
    int end = seq + len;

    // The parts of [seq, end) not held yet, ascending.
    List<int[]> pieces = new ArrayList<>(2);
    int cur = seq;
    Map.Entry<Integer, byte[]> floor = segments.floorEntry(seq);
    if (floor != null && lt(cur, endOf(floor))) cur = endOf(floor);
    for (Map.Entry<Integer, byte[]> e : segments.tailMap(seq, false).entrySet()) {
      if (!lt(e.getKey(), end)) break;
      if (lt(cur, e.getKey())) pieces.add(new int[] {cur, e.getKey()});
      if (lt(cur, endOf(e))) cur = endOf(e);
    }
    if (lt(cur, end)) pieces.add(new int[] {cur, end});
    long fresh = 0;
    for (int[] p : pieces) fresh += p[1] - p[0];
    trimmedBytes += len - fresh;

    boolean stored = false;
    for (int i = 0; i < pieces.size(); i++) {
      int from = pieces.get(i)[0];
      int n = pieces.get(i)[1] - from;
      while ((bytesHeld + n > maxBytes || segments.size() >= maxSegments)
          && !segments.isEmpty() && lt(from, segments.lastKey())) evictLast();
      int room = Math.min(n, maxBytes - bytesHeld);
      if (room <= 0 || segments.size() >= maxSegments) {
        for (int k = i; k < pieces.size(); k++) droppedBytes += pieces.get(k)[1] - pieces.get(k)[0];
        break;
      }
      byte[] copy = new byte[room];
      data.get(data.position() + (from - seq), copy);
      segments.put(from, copy);
      bytesHeld += room;
      stored = true;
      if (room < n) {   // full below this piece: the rest of it, and what lies above, cannot fit
        droppedBytes += n - room;
        for (int k = i + 1; k < pieces.size(); k++) droppedBytes += pieces.get(k)[1] - pieces.get(k)[0];
        break;
      }
    }
    if (holds(seq)) touchRecent(seq);
    return stored;
  }

  /**
   * Takes the held text that continues the in-order stream, after the caller accepted in-order
   * text up to {@code rcvNxt}: the contiguous run from {@code rcvNxt}, with bytes below it
   * trimmed ({@link #trimmedBytes}). Held segments wholly below {@code rcvNxt} are discarded.
   *
   * @return the text in order (each buffer at position 0, owned by the caller); RCV.NXT
   *     advances by the sum of their lengths. Empty when there is a gap at {@code rcvNxt}.
   */
  public List<ByteBuffer> drain(int rcvNxt) { return drain(rcvNxt, Integer.MAX_VALUE); }

  /**
   * As {@link #drain(int)}, but at most {@code maxLen} bytes (the room in the receive buffer);
   * the rest stays held.
   */
  public List<ByteBuffer> drain(int rcvNxt, int maxLen) {
    if (maxLen < 0) throw new IllegalArgumentException("maxLen " + maxLen);
    List<ByteBuffer> out = new ArrayList<>();
    int next = rcvNxt;
    while (!segments.isEmpty()) {
      Map.Entry<Integer, byte[]> first = segments.firstEntry();
      byte[] b = first.getValue();
      int off = next - first.getKey();
      if (off < 0) break;                        // a gap: the rest waits
      if (off < b.length && maxLen == 0) break;
      segments.pollFirstEntry();
      bytesHeld -= b.length;
      if (off >= b.length) {                     // already received
        trimmedBytes += b.length;
        continue;
      }
      trimmedBytes += off;
      int n = Math.min(b.length - off, maxLen);
      out.add(ByteBuffer.wrap(b, off, n).slice());
      next += n;
      maxLen -= n;
      if (off + n < b.length) {                  // maxLen ran out: keep the tail
        byte[] rest = Arrays.copyOfRange(b, off + n, b.length);
        segments.put(next, rest);
        bytesHeld += rest.length;
      }
    }
    forgetRecentBelow(next);
    return out;
  }

  /**
   * SACK blocks for an ACK, RFC 2018 §4: the first block "MUST specify the contiguous block of
   * data containing the segment which triggered this ACK" (none when that segment is not held,
   * e.g. it advanced RCV.NXT); then blocks holding the most recently received segments, which are
   * the most recently reported first blocks ("repeating the most recently reported SACK
   * blocks"), each once; then any others, lowest first, while there is room. Blocks are maximal
   * contiguous runs of held data.
   *
   * @param maxBlocks the most blocks the option has room for: 4, or 3 with timestamps
   * @param lastReceivedSeq the sequence number of the segment that triggered this ACK
   * @return {@code {left, right}} pairs, fresh arrays
   */
  public List<int[]> sackBlocks(int maxBlocks, int lastReceivedSeq) {
    return sackBlocks(maxBlocks, true, lastReceivedSeq);
  }

  /** As {@link #sackBlocks(int, int)}, led by the most recently inserted segment still held. */
  public List<int[]> sackBlocks(int maxBlocks) { return sackBlocks(maxBlocks, false, 0); }

  private List<int[]> sackBlocks(int maxBlocks, boolean hasLead, int lead) {
    if (maxBlocks < 0) throw new IllegalArgumentException("maxBlocks " + maxBlocks);
    List<int[]> runs = runs();
    List<int[]> out = new ArrayList<>(Math.min(maxBlocks, runs.size()));
    if (hasLead) addRunHolding(out, runs, lead, maxBlocks);
    for (int i = 0; i < recentCount; i++) addRunHolding(out, runs, recent[i], maxBlocks);
    for (int[] run : runs) if (out.size() < maxBlocks && !out.contains(run)) out.add(run);
    return out;
  }

  private static void addRunHolding(List<int[]> out, List<int[]> runs, int seq, int maxBlocks) {
    if (out.size() >= maxBlocks) return;
    for (int[] run : runs) {
      if (!lt(seq, run[0]) && lt(seq, run[1])) {
        if (!out.contains(run)) out.add(run);   // identity: each run is its own array
        return;
      }
    }
  }

  /** Maximal contiguous runs of held data, ascending. */
  private List<int[]> runs() {
    List<int[]> runs = new ArrayList<>();
    int[] last = null;
    for (Map.Entry<Integer, byte[]> e : segments.entrySet()) {
      if (last != null && last[1] == e.getKey()) last[1] = endOf(e);
      else runs.add(last = new int[] {e.getKey(), endOf(e)});
    }
    return runs;
  }

  /** Bytes held. */
  public int bytesHeld() { return bytesHeld; }

  /** Segments held. */
  public int segments() { return segments.size(); }

  public boolean isEmpty() { return segments.isEmpty(); }

  /** Drops everything held (the connection closed or was reset); counters are kept. */
  public void clear() {
    segments.clear();
    bytesHeld = 0;
    recentCount = 0;
  }

  /** New bytes not stored: no room, even after evicting all higher data, or too far from what is held. */
  public long droppedBytes() { return droppedBytes; }

  /** Held bytes evicted to make room for data nearer RCV.NXT. */
  public long evictedBytes() { return evictedBytes; }

  /** Duplicate bytes: already held on insert, or already received on drain. */
  public long trimmedBytes() { return trimmedBytes; }

  /** Whether [seq, seq + len) and everything held lie within {@link #MAX_SPAN}. */
  private boolean fitsSpan(int seq, int len) {
    if (len > MAX_SPAN) return false;
    if (segments.isEmpty()) return true;
    int low = segments.firstKey();
    long from = seq - low;                       // meaningful only when |from| < MAX_SPAN
    if (from <= -MAX_SPAN || from >= MAX_SPAN) return false;
    long highEnd = endOf(segments.lastEntry()) - low;
    return Math.max(highEnd, from + len) - Math.min(0, from) <= MAX_SPAN;
  }

  private void evictLast() {
    Map.Entry<Integer, byte[]> last = segments.pollLastEntry();
    bytesHeld -= last.getValue().length;
    evictedBytes += last.getValue().length;
    if (segments.isEmpty()) recentCount = 0;
  }

  private boolean holds(int seq) {
    Map.Entry<Integer, byte[]> e = segments.floorEntry(seq);
    return e != null && lt(seq, endOf(e));
  }

  private void touchRecent(int seq) {
    int i = 0;
    while (i < recentCount && recent[i] != seq) i++;
    if (i == recentCount && recentCount < RECENT) recentCount++;
    System.arraycopy(recent, 0, recent, 1, Math.min(i, RECENT - 1));
    recent[0] = seq;
  }

  private void forgetRecentBelow(int rcvNxt) {
    if (segments.isEmpty()) {
      recentCount = 0;
      return;
    }
    int k = 0;
    for (int i = 0; i < recentCount; i++) if (!lt(recent[i], rcvNxt)) recent[k++] = recent[i];
    recentCount = k;
  }

  private static int endOf(Map.Entry<Integer, byte[]> e) { return e.getKey() + e.getValue().length; }

  private static boolean lt(int a, int b) { return a - b < 0; }
}
