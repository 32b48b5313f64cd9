package io.tapnfs.netstack.tcp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SACK sender's scoreboard of RFC 6675 over the send sequence space [SND.UNA, SND.NXT): which
 * bytes the peer SACKed (§2 "Sacked"), which are deemed lost ({@link #isLost}, §4 IsLost), how
 * many are in the network ({@link #pipe}, §4 SetPipe), and what to send next during loss recovery
 * ({@link #nextSeg}, §4 NextSeg), with the recovery bookkeeping of §5 (RecoveryPoint, HighRxt,
 * RescueRxt).
 *
 * <p>Sequence numbers are plain {@code int}s, the 32 raw bits, compared wrap-safely as
 * {@code (int) (a - b) < 0} (RFC 1982 serial arithmetic, like {@link SeqNumber}); everything held
 * lies in [SND.UNA, SND.NXT), less than 2^31 wide. Ranges are half-open, {@code [left, right)},
 * as SACK blocks are on the wire (RFC 2018 §3: right is "the sequence number immediately
 * following the last sequence number of this block"). HighRxt and RescueRxt keep RFC 6675's
 * meaning: the sequence number of a byte, inclusive.
 *
 * <p>How a sender uses it (RFC 6675 §5):
 * <ol>
 *   <li>On every ACK, {@link #update} with the new SND.UNA and the ACK's SACK blocks. The result
 *       is the number of newly SACKed bytes: positive means the ACK is a duplicate ACK in the
 *       sense of §2 (c). Recovery ends by itself once SND.UNA reaches RecoveryPoint (§5 (A)).
 *   <li>When DupAcks reaches DupThresh, or {@code isLost(SND.UNA)} (§5 step 2), call
 *       {@link #enterRecovery}: it sets RecoveryPoint and returns the first segment to
 *       retransmit (§5 step 4.3).
 *   <li>While {@code cwnd - pipe() >= SMSS}: {@link #nextSeg} says what to send; send it, then
 *       {@link #markRetransmitted} (rules 1 and 3, and the segment of step 4.3) or
 *       {@link #markRescueRetransmitted} (rule 4). New data needs no call: {@link #pipe} counts
 *       it once SND.NXT includes it.
 *   <li>On a retransmission timeout, {@link #reset}: RFC 2018 §8, "After a retransmit timeout the
 *       data sender SHOULD turn off all of the SACKed bits, since the timeout might indicate that
 *       the data receiver has reneged". RFC 6675 §5.1's rule that no new recovery starts until
 *       HighACK reaches the RecoveryPoint set at the timeout is the caller's.
 * </ol>
 *
 * <p>Reneging (the receiver discards data it SACKed, RFC 2018 §8): SACK information is advisory.
 * A block not repeated in a later ACK stays SACKed here, since receivers report only the most
 * recent three or four blocks; it leaves the scoreboard only when SND.UNA passes it, or on
 * {@link #reset}. So reneged data is not retransmitted by {@link #nextSeg}; the retransmission
 * timer (which the caller MUST keep running for SND.UNA, RFC 2018 §8) fires, the caller resets
 * the scoreboard and retransmits from SND.UNA. The caller keeps SACKed data in its send buffer
 * until it is cumulatively acknowledged ("the sender MUST NOT discard data before it is
 * acknowledged by the Acknowledgment Number field").
 *
 * <p>Bounded: at most {@code maxRanges} SACKed ranges (default {@value #DEFAULT_MAX_RANGES}). A
 * block that would make one more is kept by evicting the highest range, or dropped if it is
 * itself the highest ({@link #sackRangesEvicted}). Forgetting a SACK only makes the sender more
 * conservative (it may retransmit those bytes, and counts them in pipe); merging ranges would
 * claim bytes the peer never SACKed, so we never merge. The retransmitted ranges are bounded the
 * same way, but by merging the two closest: that overstates pipe, again the safe side.
 * Operations are linear in the number of ranges.
 *
 * <p>Not thread-safe: the connection's event-loop thread only. No I/O and no clock.
 */
public final class SackScoreboard {
  /** RFC 6675 §2: "DupThresh ... The RECOMMENDED value is 3" (also RFC 5681 §3.2). */
  public static final int DEFAULT_DUP_THRESH = 3;
  /** The default bound on SACKed (and on retransmitted) ranges held. */
  public static final int DEFAULT_MAX_RANGES = 256;

  /** Which rule of RFC 6675 chose a retransmission. */
  public enum Rule {
    /** §5 step 4.3: the first segment, starting at SND.UNA, retransmitted on entering recovery. */
    FAST_RETRANSMIT,
    /** §4 NextSeg rule 1: the first unSACKed segment above HighRxt that IsLost. */
    LOST,
    /** §4 NextSeg rule 3: no loss to repair and no new data; an unSACKed, not yet lost segment. */
    LAST_RESORT,
    /** §4 NextSeg rule 4: the rescue retransmission of the highest unSACKed data. */
    RESCUE
  }

  /** What {@link #nextSeg} says to send. */
  public sealed interface Next permits Retransmit, NewData, Nothing {}

  /** Retransmit {@code len} bytes at {@code seq}, then report it with a mark method. */
  public record Retransmit(int seq, int len, Rule rule) implements Next {
    /** The sequence number after the last byte. */
    public int end() { return seq + len; }
  }

  /** NextSeg rule 2: send up to {@code maxLen} (one SMSS) bytes of new data at {@code seq} (SND.NXT). */
  public record NewData(int seq, int maxLen) implements Next {}

  /** Nothing to send now. */
  public record Nothing() implements Next {}

  /** The only {@link Nothing}. */
  public static final Nothing NOTHING = new Nothing();

  private final int dupThresh;
  private final int maxRanges;
  private int mss;
  private int sndUna;
  private final Ranges sacked = new Ranges();
  private final Ranges retransmitted = new Ranges();

  private boolean inRecovery;
  /** RFC 6675 §5 step 4.1 RecoveryPoint, as the exclusive end: HighData + 1, SND.NXT at entry. */
  private int recoveryPoint;
  /** RFC 6675 §2 HighRxt (inclusive); undefined unless {@code highRxtSet}. */
  private int highRxt;
  private boolean highRxtSet;
  /** RFC 6675 §2 RescueRxt (inclusive); undefined unless {@code rescueRxtSet}. */
  private int rescueRxt;
  private boolean rescueRxtSet;

  private long dsackBlocksIgnored, invalidBlocksIgnored, sackRangesEvicted;

  /** A scoreboard with DupThresh 3 and {@value #DEFAULT_MAX_RANGES} ranges; {@link #reset} it before use. */
  public SackScoreboard(int mss) { this(mss, DEFAULT_DUP_THRESH, DEFAULT_MAX_RANGES); }

  /** @param dupThresh RFC 6675 DupThresh, normally {@value #DEFAULT_DUP_THRESH} */
  public SackScoreboard(int mss, int dupThresh) { this(mss, dupThresh, DEFAULT_MAX_RANGES); }

  /** @param maxRanges the most SACKed ranges held, and the most retransmitted ranges, at least 1 */
  public SackScoreboard(int mss, int dupThresh, int maxRanges) {
    if (dupThresh < 1) throw new IllegalArgumentException("dupThresh " + dupThresh);
    if (maxRanges < 1) throw new IllegalArgumentException("maxRanges " + maxRanges);
    setMss(mss);
    this.dupThresh = dupThresh;
    this.maxRanges = maxRanges;
  }

  /** The sender MSS (SMSS) changed; IsLost's byte rule and segment sizes follow it. */
  public void setMss(int mss) {
    if (mss <= 0) throw new IllegalArgumentException("mss " + mss);
    this.mss = mss;
  }

  public int mss() { return mss; }

  /**
   * Forgets every SACK and retransmission, and ends recovery: at connection start, and on a
   * retransmission timeout (RFC 2018 §8; RFC 6675 §5.1 "the loss recovery algorithm ... MUST be
   * terminated"). Counters are kept.
   */
  public void reset(int sndUna) {
    this.sndUna = sndUna;
    sacked.clear();
    retransmitted.clear();
    inRecovery = false;
    highRxtSet = false;
    rescueRxtSet = false;
  }

  /**
   * Takes one ACK: moves SND.UNA and merges the ACK's SACK blocks (RFC 6675 §4 Update()).
   *
   * <p>Ignored blocks: the first one when it is a D-SACK (RFC 2883 §4: it starts below the
   * cumulative ACK, or lies inside the second block), counted in {@link #dsackBlocksIgnored};
   * blocks that are empty, reach beyond {@code sndNxt}, or lie wholly below SND.UNA, counted in
   * {@link #invalidBlocksIgnored}. A block starting below SND.UNA but ending above it (not the
   * first) is clipped to SND.UNA.
   *
   * @param sndUna SND.UNA after this ACK (its Acknowledgment Number when acceptable); an older
   *     value than the last one given is ignored, SND.UNA never moves back but by {@link #reset}
   * @param sndNxt the highest sequence number sent plus one (SND.MAX if the caller ever moves
   *     SND.NXT back): no one can SACK what was never sent
   * @param sackBlocks the ACK's SACK blocks in received order, each {@code {left, right}}
   * @return bytes newly SACKed by this ACK and now held; positive makes it a duplicate ACK in
   *     the sense of RFC 6675 §2 (c) "SACKs previously un-SACKed data"
   */
  public int update(int sndUna, int sndNxt, List<int[]> sackBlocks) {
    advance(sndUna);
    int una = this.sndUna;
    int newly = 0;
    for (int i = 0; i < sackBlocks.size(); i++) {
      int left = sackBlocks.get(i)[0], right = sackBlocks.get(i)[1];
      if (!lt(left, right)) { invalidBlocksIgnored++; continue; }
      if (i == 0 && isDsack(left, right, sackBlocks, una)) { dsackBlocksIgnored++; continue; }
      if (lt(sndNxt, right) || !lt(una, right)) { invalidBlocksIgnored++; continue; }
      if (lt(left, una)) left = una;
      if (sacked.n >= maxRanges && !sacked.touches(left, right)) {
        sackRangesEvicted++;
        if (!lt(left, sacked.l[sacked.n - 1])) continue;   // it would be the highest: drop it
        sacked.removeLast();
      }
      newly += sacked.add(left, right);
    }
    return newly;
  }

  /** RFC 2883 §4: only the first block can be a D-SACK. */
  private static boolean isDsack(int left, int right, List<int[]> blocks, int cumAck) {
    if (lt(left, cumAck)) return true;
    if (blocks.size() < 2) return false;
    int l1 = blocks.get(1)[0], r1 = blocks.get(1)[1];
    return lt(l1, r1) && !lt(left, l1) && !lt(r1, right);
  }

  /**
   * RFC 6675 §4 IsLost(SeqNum): "true when either DupThresh discontiguous SACKed sequences have
   * arrived above 'SeqNum' or more than (DupThresh - 1) * SMSS bytes with sequence numbers
   * greater than 'SeqNum' have been SACKed". Discontiguous sequences are our SACKed ranges, which
   * are kept merged (gVisor counts the same way; Linux counts segments). Meant for an unSACKed
   * {@code seq} in [SND.UNA, SND.NXT).
   */
  public boolean isLost(int seq) {
    int count = 0;
    long bytes = 0;
    for (int i = sacked.n - 1; i >= 0; i--) {
      int l = sacked.l[i], r = sacked.r[i];
      if (!lt(seq, r - 1)) break;                   // this range, and all below, end at or before seq
      bytes += r - (lt(seq, l) ? l : seq + 1);
      if (lost(++count, bytes)) return true;
    }
    return false;
  }

  /** IsLost's rule, given how many SACKed ranges and bytes lie above a byte. */
  private boolean lost(int rangesAbove, long bytesAbove) {
    return rangesAbove >= dupThresh || bytesAbove > (long) (dupThresh - 1) * mss;
  }

  /**
   * RFC 6675 §4 SetPipe(): the bytes in the network. For each unSACKed byte in [SND.UNA, SND.NXT):
   * one if not IsLost (the original may still be in flight), plus one if it was retransmitted.
   *
   * <p>The RFC's second test is "S1 &lt;= HighRxt"; we test instead whether the byte is in a
   * range reported by a mark method and not yet acknowledged. When retransmissions follow
   * NextSeg, both select the same bytes but for the rescue retransmission (rule 4), which the
   * RFC does not count though it is in flight; Linux counts it ({@code retrans_out}).
   *
   * <p>IsLost is the same for every byte of a gap between two SACKed ranges, so this is linear
   * in the number of ranges. A long, as two copies of a 2^30-byte window would overflow an int.
   */
  public long pipe(int sndUna, int sndNxt) {
    advance(sndUna);
    long pipe = 0;
    int rangesAbove = 0;
    long bytesAbove = 0;
    int gapEnd = sndNxt;
    for (int i = sacked.n - 1; i >= -1; i--) {
      int gapStart = i >= 0 ? sacked.r[i] : this.sndUna;
      if (lt(gapStart, gapEnd) && !lost(rangesAbove, bytesAbove)) pipe += gapEnd - gapStart;
      if (i >= 0) {
        rangesAbove++;
        bytesAbove += sacked.r[i] - sacked.l[i];
        gapEnd = sacked.l[i];
      }
    }
    return pipe + retransmitted.bytes - Ranges.overlap(retransmitted, sacked);
  }

  /**
   * Enters loss recovery (RFC 6675 §5 step 4): RecoveryPoint becomes HighData, and the segment
   * starting at SND.UNA is to be retransmitted (step 4.3). RescueRxt is set to its last byte,
   * "to prevent ... a premature rescue retransmission"; the caller sends it and reports it with
   * {@link #markRetransmitted}, which sets HighRxt. Until then {@link #nextSeg} may offer it again.
   *
   * @throws IllegalArgumentException when nothing is outstanding
   */
  public Retransmit enterRecovery(int sndUna, int sndNxt) {
    advance(sndUna);
    int una = this.sndUna;
    if (!lt(una, sndNxt)) throw new IllegalArgumentException("nothing outstanding: SND.UNA " + una + ", SND.NXT " + sndNxt);
    inRecovery = true;
    recoveryPoint = sndNxt;
    highRxtSet = false;
    int end = segmentEnd(una, sndNxt);
    rescueRxt = end - 1;
    rescueRxtSet = true;
    return new Retransmit(una, end - una, Rule.FAST_RETRANSMIT);
  }

  /** Between {@link #enterRecovery} and the cumulative ACK of RecoveryPoint, or {@link #reset}. */
  public boolean inRecovery() { return inRecovery; }

  /** SND.NXT when recovery was entered (RFC 6675 RecoveryPoint + 1); meaningful in recovery. */
  public int recoveryPoint() { return recoveryPoint; }

  /**
   * RFC 6675 §4 NextSeg(): what to send next, by the first rule that applies.
   * <ol>
   *   <li>{@link Rule#LOST}: the first unSACKed byte S2 above HighRxt, below the highest SACKed
   *       byte, with IsLost(S2): up to one SMSS from S2, stopping at the next SACKed range.
   *   <li>{@link NewData} when {@code canSendNew}.
   *   <li>{@link Rule#LAST_RESORT}: the same S2 when not lost.
   *   <li>{@link Rule#RESCUE}, in recovery only, once per recovery ("If HighACK is greater than
   *       RescueRxt (or RescueRxt is undefined)"): up to one SMSS ending with the highest unSACKed
   *       byte.
   * </ol>
   * IsLost only gets truer towards SND.UNA, so when the first candidate is not lost no later one
   * is. This method changes nothing; the mark methods record what was sent.
   *
   * @param canSendNew unsent data is waiting and the peer's window allows it (rule 2)
   */
  public Next nextSeg(int sndUna, int sndNxt, boolean canSendNew) {
    advance(sndUna);
    int una = this.sndUna;
    int s2 = firstUnsackedFrom(highRxtSet && !lt(highRxt, una) ? highRxt + 1 : una);
    boolean candidate = sacked.n > 0 && lt(s2, sacked.l[sacked.n - 1]) && lt(s2, sndNxt);
    if (candidate && isLost(s2)) return new Retransmit(s2, segmentEnd(s2, sndNxt) - s2, Rule.LOST);
    if (canSendNew) return new NewData(sndNxt, mss);
    if (candidate) return new Retransmit(s2, segmentEnd(s2, sndNxt) - s2, Rule.LAST_RESORT);
    if (inRecovery && (!rescueRxtSet || lt(rescueRxt, una - 1))) {
      // The highest unSACKed run: below the top range if that reaches SND.NXT, else above it.
      int n = sacked.n;
      boolean topAtEnd = n > 0 && !lt(sacked.r[n - 1], sndNxt);
      int runEnd = topAtEnd ? sacked.l[n - 1] : sndNxt;
      int below = topAtEnd ? n - 2 : n - 1;
      int runStart = below >= 0 ? sacked.r[below] : una;
      if (lt(runStart, runEnd)) {
        int start = runEnd - runStart > mss ? runEnd - mss : runStart;
        return new Retransmit(start, runEnd - start, Rule.RESCUE);
      }
    }
    return NOTHING;
  }

  /**
   * Records a retransmission chosen by {@link #enterRecovery} or NextSeg rules 1 and 3 (or any
   * other): pipe counts it, and HighRxt rises to its last byte (RFC 6675 §5 step C.2). Bytes
   * already acknowledged are ignored.
   */
  public void markRetransmitted(int seq, int len) {
    int end = recordRetransmission(seq, len);
    if (!lt(sndUna, end)) return;
    if (!highRxtSet || lt(highRxt, end - 1)) {
      highRxt = end - 1;
      highRxtSet = true;
    }
  }

  /**
   * Records the rescue retransmission of NextSeg rule 4: pipe counts it, RescueRxt becomes
   * RecoveryPoint, and HighRxt is not changed ("HighRxt MUST NOT be updated").
   */
  public void markRescueRetransmitted(int seq, int len) {
    int end = recordRetransmission(seq, len);
    rescueRxt = (inRecovery ? recoveryPoint : end) - 1;
    rescueRxtSet = true;
  }

  private int recordRetransmission(int seq, int len) {
    if (len <= 0) throw new IllegalArgumentException("retransmission of " + len + " bytes");
    int end = seq + len;
    if (lt(sndUna, end)) {
      retransmitted.add(lt(seq, sndUna) ? sndUna : seq, end);
      while (retransmitted.n > maxRanges) retransmitted.mergeClosest();
    }
    return end;
  }

  /** SND.UNA as last given. */
  public int sndUna() { return sndUna; }

  /** Bytes SACKed and not yet cumulatively acknowledged. */
  public int sackedBytes() { return (int) sacked.bytes; }

  /** The right edge of the highest SACKed range (one past its last byte); SND.UNA when none. */
  public int highestSacked() { return sacked.n == 0 ? sndUna : sacked.r[sacked.n - 1]; }

  /** A copy of the SACKed ranges, {@code {left, right}}, ascending. */
  public List<int[]> blocks() { return sacked.snapshot(); }

  /** A copy of the retransmitted, unacknowledged ranges, {@code {left, right}}, ascending. */
  public List<int[]> retransmittedBlocks() { return retransmitted.snapshot(); }

  /** First SACK blocks taken for D-SACKs (RFC 2883) and ignored. */
  public long dsackBlocksIgnored() { return dsackBlocksIgnored; }

  /** SACK blocks ignored as empty, beyond SND.NXT, or wholly below SND.UNA. */
  public long invalidBlocksIgnored() { return invalidBlocksIgnored; }

  /** SACKed ranges forgotten, or blocks dropped, to stay within the range bound. */
  public long sackRangesEvicted() { return sackRangesEvicted; }

  @Override public String toString() {
    StringBuilder b = new StringBuilder("SackScoreboard[una=").append(Integer.toUnsignedString(sndUna)).append(" sacked=");
    for (int i = 0; i < sacked.n; i++) b.append('[').append(Integer.toUnsignedString(sacked.l[i])).append(',')
        .append(Integer.toUnsignedString(sacked.r[i])).append(')');
    if (inRecovery) b.append(" recoveryPoint=").append(Integer.toUnsignedString(recoveryPoint));
    if (highRxtSet) b.append(" highRxt=").append(Integer.toUnsignedString(highRxt));
    if (rescueRxtSet) b.append(" rescueRxt=").append(Integer.toUnsignedString(rescueRxt));
    return b.append(']').toString();
  }

  /** Moves SND.UNA forward (never back), dropping what it covers; recovery ends at RecoveryPoint (§5 (A)). */
  private void advance(int una) {
    if (!lt(sndUna, una)) return;
    sndUna = una;
    sacked.removeBelow(una);
    retransmitted.removeBelow(una);
    if (inRecovery && !lt(una, recoveryPoint)) {
      inRecovery = false;
      highRxtSet = false;
      rescueRxtSet = false;
    }
    // Once acknowledged they act as undefined; forgetting them keeps them from wrapping around.
    if (highRxtSet && lt(highRxt, una)) highRxtSet = false;
    if (rescueRxtSet && lt(rescueRxt, una - 1)) rescueRxtSet = false;
  }

  /** The first byte at or after {@code seq} that is not SACKed. */
  private int firstUnsackedFrom(int seq) {
    for (int i = 0; i < sacked.n; i++) {
      if (lt(seq, sacked.l[i])) break;
      if (lt(seq, sacked.r[i])) return sacked.r[i];   // ranges are never adjacent
    }
    return seq;
  }

  /** One past the last byte of a segment at unSACKed {@code seq}: one SMSS, cut at the next SACKed range and at SND.NXT. */
  private int segmentEnd(int seq, int sndNxt) {
    int end = sndNxt - seq > mss ? seq + mss : sndNxt;
    for (int i = 0; i < sacked.n; i++) {
      if (lt(seq, sacked.l[i])) return lt(sacked.l[i], end) ? sacked.l[i] : end;
    }
    return end;
  }

  private static boolean lt(int a, int b) { return a - b < 0; }

  /**
   * Disjoint, non-adjacent half-open ranges in ascending (wrap-safe) order, in two parallel
   * arrays. All lie within one window, less than 2^31 wide.
   */
  private static final class Ranges {
    int[] l = new int[8], r = new int[8];
    int n;
    long bytes;

    void clear() {
      n = 0;
      bytes = 0;
    }

    /** Whether [a, b) overlaps or adjoins a range, so adding it makes no new one. */
    boolean touches(int a, int b) {
      for (int i = 0; i < n; i++) if (!lt(b, l[i]) && !lt(r[i], a)) return true;
      return false;
    }

    /** Adds [a, b), merging what it overlaps or adjoins. @return bytes newly covered */
    int add(int a, int b) {
      int i = 0;
      while (i < n && lt(r[i], a)) i++;
      int j = i;
      while (j < n && !lt(b, l[j])) j++;   // ranges i .. j-1 overlap or adjoin [a, b)
      if (i == j) {
        if (n == l.length) {
          l = Arrays.copyOf(l, n * 2);
          r = Arrays.copyOf(r, n * 2);
        }
        System.arraycopy(l, i, l, i + 1, n - i);
        System.arraycopy(r, i, r, i + 1, n - i);
        l[i] = a;
        r[i] = b;
        n++;
        bytes += b - a;
        return b - a;
      }
      int nl = lt(l[i], a) ? l[i] : a;
      int nr = lt(b, r[j - 1]) ? r[j - 1] : b;
      long old = 0;
      for (int k = i; k < j; k++) old += r[k] - l[k];
      int added = (int) ((nr - nl) - old);
      l[i] = nl;
      r[i] = nr;
      removeRange(i + 1, j);
      bytes += added;
      return added;
    }

    /** Drops everything below {@code seq}. */
    void removeBelow(int seq) {
      int k = 0;
      for (; k < n && !lt(seq, r[k]); k++) bytes -= r[k] - l[k];
      removeRange(0, k);
      if (n > 0 && lt(l[0], seq)) {
        bytes -= seq - l[0];
        l[0] = seq;
      }
    }

    void removeLast() {
      n--;
      bytes -= r[n] - l[n];
    }

    /** Joins the two ranges with the smallest gap between them; the gap becomes covered. */
    void mergeClosest() {
      int best = 0;
      for (int i = 1; i + 1 < n; i++) if (l[i + 1] - r[i] < l[best + 1] - r[best]) best = i;
      bytes += l[best + 1] - r[best];
      r[best] = r[best + 1];
      removeRange(best + 1, best + 2);
    }

    /** Removes ranges [from, to) of the arrays. */
    private void removeRange(int from, int to) {
      System.arraycopy(l, to, l, from, n - to);
      System.arraycopy(r, to, r, from, n - to);
      n -= to - from;
    }

    List<int[]> snapshot() {
      List<int[]> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) out.add(new int[] {l[i], r[i]});
      return out;
    }

    /** Bytes in both sets: a merge walk. */
    static long overlap(Ranges x, Ranges y) {
      long sum = 0;
      for (int i = 0, j = 0; i < x.n && j < y.n; ) {
        int lo = lt(x.l[i], y.l[j]) ? y.l[j] : x.l[i];
        int hi = lt(x.r[i], y.r[j]) ? x.r[i] : y.r[j];
        if (lt(lo, hi)) sum += hi - lo;
        if (lt(x.r[i], y.r[j])) i++; else j++;
      }
      return sum;
    }
  }
}
