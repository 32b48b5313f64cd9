package io.tapnfs.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.tcp.SackScoreboard.NewData;
import io.tapnfs.netstack.tcp.SackScoreboard.Retransmit;
import io.tapnfs.netstack.tcp.SackScoreboard.Rule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sequence numbers are written as offsets from a base; most tests run at bases that put the
 * flight across 2^31 and across 2^32, so every comparison is exercised wrapped.
 */
class SackScoreboardTest {
  static final int MSS = 1000;

  /** Bases: plain, the flight straddling 2^31 (signed overflow), and straddling 2^32 (unsigned wrap). */
  static final String BASES = "0x0, 0x7fffe000, 0xffffe000";

  /** {@code "l-r l-r"} offsets from {@code base} to blocks; empty for none. */
  static List<int[]> blocks(int base, String spec) {
    List<int[]> out = new ArrayList<>();
    for (String b : spec.trim().split("\\s+")) {
      if (b.isEmpty()) continue;
      String[] lr = b.split("-");
      out.add(new int[] {base + Integer.parseInt(lr[0]), base + Integer.parseInt(lr[1])});
    }
    return out;
  }

  /** The scoreboard's ranges as offsets from {@code base}, in {@link #blocks} notation. */
  static String offsets(int base, List<int[]> ranges) {
    StringBuilder b = new StringBuilder();
    for (int[] r : ranges) b.append(b.length() == 0 ? "" : " ").append(r[0] - base).append('-').append(r[1] - base);
    return b.toString();
  }

  static SackScoreboard board(int base) {
    SackScoreboard s = new SackScoreboard(MSS, 3);
    s.reset(base);
    return s;
  }

  static int parseBase(String s) { return Integer.parseUnsignedInt(s.trim().substring(2), 16); }

  // ---- IsLost (RFC 6675 §4)

  @ParameterizedTest(name = "SACKed {0}: IsLost({1}) = {2}")
  @CsvSource({
      "'1000-2000',                     0,    false",   // one segment above: reordering, not loss
      "'1000-3000',                     0,    false",   // 2000 bytes: not MORE than (3-1)*SMSS
      "'1000-3001',                     0,    true",    // more than (DupThresh-1)*SMSS bytes
      "'1000-1100 2000-2100 3000-3100', 0,    true",    // DupThresh discontiguous sequences
      "'1000-1100 2000-2100 3000-3100', 1100, false",   // only two above
      "'1000-1100 2000-2100',           0,    false",
      "'1000-4000',                     999,  true",
      "'1000-4000',                     4000, false",   // nothing above
      "'1000-2000 2500-3500',           0,    false",   // two ranges, exactly 2000 bytes
      "'1000-2000 2500-3501',           0,    true",
      "'',                              0,    false",
  })
  void isLost(String sacks, int seq, boolean lost) {
    for (String baseHex : BASES.split(",")) {
      int base = parseBase(baseHex);
      SackScoreboard s = board(base);
      s.update(base, base + 10_000, blocks(base, sacks));
      assertThat(s.isLost(base + seq)).as("base %x", base).isEqualTo(lost);
    }
  }

  @Test void dupThreshAndMssShapeIsLost() {
    SackScoreboard s = new SackScoreboard(500, 2);
    s.reset(0);
    s.update(0, 10_000, blocks(0, "1000-1400"));
    assertThat(s.isLost(0)).isFalse();               // 1 range, 400 bytes <= (2-1)*500
    s.update(0, 10_000, blocks(0, "2000-2100"));
    assertThat(s.isLost(0)).isTrue();                // DupThresh = 2 ranges
    s.reset(0);
    s.update(0, 10_000, blocks(0, "1000-1600"));
    assertThat(s.isLost(0)).isTrue();                // 600 > 500
    s.setMss(1000);
    assertThat(s.isLost(0)).isFalse();
  }

  // ---- Update(): merging, D-SACK, invalid blocks, dup-ACK accounting

  @ParameterizedTest(name = "base {0}")
  @ValueSource(strings = {"0x0", "0x7fffe000", "0xffffe000"})
  void blocksMergeAndReportNewlySackedBytes(String baseHex) {
    int base = parseBase(baseHex);
    SackScoreboard s = board(base);
    assertThat(s.update(base, base + 10_000, blocks(base, "3000-4000"))).isEqualTo(1000);
    assertThat(s.update(base, base + 10_000, blocks(base, "3000-4000"))).isZero();   // repeated: not a dup ACK per §2 (c)
    assertThat(s.update(base, base + 10_000, blocks(base, "1000-2000 3000-4000"))).isEqualTo(1000);
    assertThat(s.update(base, base + 10_000, blocks(base, "1500-3500"))).isEqualTo(1000);  // fills the hole 2000-3000
    assertThat(offsets(base, s.blocks())).isEqualTo("1000-4000");
    assertThat(s.update(base, base + 10_000, blocks(base, "4000-5000 6000-7000"))).isEqualTo(2000);  // adjacent merges
    assertThat(offsets(base, s.blocks())).isEqualTo("1000-5000 6000-7000");
    assertThat(s.sackedBytes()).isEqualTo(5000);
    assertThat(s.highestSacked()).isEqualTo(base + 7000);

    // A cumulative ACK discards what it covers, clipping a range it ends inside.
    assertThat(s.update(base + 2500, base + 10_000, List.of())).isZero();
    assertThat(offsets(base, s.blocks())).isEqualTo("2500-5000 6000-7000");
    assertThat(s.sackedBytes()).isEqualTo(3500);
    s.update(base + 8000, base + 10_000, List.of());
    assertThat(s.blocks()).isEmpty();
    assertThat(s.highestSacked()).isEqualTo(base + 8000);
    assertThat(s.sndUna()).isEqualTo(base + 8000);
  }

  @Test void rangeAcrossTwoToThe32() {
    int base = 0xffff_fc00;                          // 2^32 - 1024
    SackScoreboard s = board(base);
    s.update(base, base + 10_000, blocks(base, "1000-4000"));
    assertThat(s.blocks()).containsExactly(new int[] {0xffff_ffe8, 0x0ba0});
    assertThat(s.isLost(base)).isTrue();
    assertThat(s.isLost(0x0ba0)).isFalse();
    assertThat(s.pipe(base, base + 10_000)).isEqualTo(6000);
    s.update(0x10, base + 10_000, List.of());       // SND.UNA wraps past zero
    assertThat(s.blocks()).containsExactly(new int[] {0x10, 0x0ba0});
    assertThat(s.sackedBytes()).isEqualTo(0x0ba0 - 0x10);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      // blocks (SND.UNA = 2000, SND.NXT = 10000) | SACKed after | D-SACKs | invalid
      "'1000-1500 5000-6000', '5000-6000', 1, 0",    // first block below the cumulative ACK: D-SACK
      "'1500-2500 5000-6000', '5000-6000', 1, 0",    // first block reaching below it: D-SACK too
      "'5200-5800 5000-6000', '5000-6000', 1, 0",    // first block inside the second: D-SACK
      "'5000-6000 5000-6000', '5000-6000', 1, 0",    // equal to the second: inside it
      "'5000-6000 5200-5800', '5000-6000', 0, 0",    // second inside the first: not a D-SACK
      "'5000-6000 1000-1500', '5000-6000', 0, 1",    // later block wholly below SND.UNA: stale
      "'5000-6000 1500-2500', '2000-2500 5000-6000', 0, 0",  // later block across SND.UNA: clipped
      "'9000-10001',          '',          0, 1",    // beyond SND.NXT: never sent
      "'9000-10000',          '9000-10000', 0, 0",
      "'6000-6000',           '',          0, 1",    // empty
      "'7000-6000 3000-4000', '3000-4000', 0, 1",    // inverted
  })
  void dsackAndInvalidBlocksAreIgnored(String in, String kept, int dsacks, int invalid) {
    for (String baseHex : BASES.split(",")) {
      int base = parseBase(baseHex);
      SackScoreboard s = board(base);
      s.update(base + 2000, base + 10_000, blocks(base, in));
      assertThat(offsets(base, s.blocks())).as("base %x", base).isEqualTo(kept);
      assertThat(s.dsackBlocksIgnored()).isEqualTo(dsacks);
      assertThat(s.invalidBlocksIgnored()).isEqualTo(invalid);
    }
  }

  @Test void dsackDoesNotCountAsNewlySacked() {
    SackScoreboard s = board(0);
    s.update(0, 10_000, blocks(0, "3000-4000"));
    assertThat(s.update(0, 10_000, blocks(0, "3000-3500 3000-4000"))).isZero();
    assertThat(s.dsackBlocksIgnored()).isEqualTo(1);
  }

  @Test void sndUnaNeverMovesBack() {
    SackScoreboard s = board(0);
    s.update(5000, 10_000, blocks(0, "6000-7000"));
    s.update(4000, 10_000, blocks(0, "4500-4800"));  // an old ACK: its block is below SND.UNA
    assertThat(s.sndUna()).isEqualTo(5000);
    assertThat(offsets(0, s.blocks())).isEqualTo("6000-7000");
  }

  // ---- Reneging (RFC 2018 §8)

  @Test void renegedSackIsKeptUntilTheRetransmissionTimeoutResetsIt() {
    SackScoreboard s = board(0);
    s.update(0, 10_000, blocks(0, "1000-4000"));
    // The receiver drops what it SACKed: later ACKs omit the block. Receivers repeat only the
    // latest blocks, so an omission proves nothing; the SACK stands.
    s.update(0, 10_000, List.of());
    s.update(0, 10_000, blocks(0, "6000-7000"));
    assertThat(offsets(0, s.blocks())).isEqualTo("1000-4000 6000-7000");
    // Recovery repairs 0-1000; the ACK then stops at 1000 as 1000-4000 was reneged.
    s.enterRecovery(0, 10_000);
    s.markRetransmitted(0, 1000);
    s.update(1000, 10_000, List.of());
    assertThat(s.nextSeg(1000, 10_000, false)).isEqualTo(new Retransmit(4000, 1000, Rule.LAST_RESORT));  // never 1000-4000
    // The retransmission timer for SND.UNA fires: the sender resets and goes back to SND.UNA.
    s.reset(1000);
    assertThat(s.blocks()).isEmpty();
    assertThat(s.inRecovery()).isFalse();
    assertThat(s.isLost(1000)).isFalse();
    assertThat(s.pipe(1000, 10_000)).isEqualTo(9000);
    assertThat(s.nextSeg(1000, 10_000, false)).isEqualTo(SackScoreboard.NOTHING);
  }

  // ---- SetPipe, NextSeg and the recovery of RFC 6675 §5

  @ParameterizedTest(name = "base {0}")
  @ValueSource(strings = {"0x0", "0x7fffe000", "0xffffe000"})
  void singleLoss(String baseHex) {
    int b = parseBase(baseHex);
    int nxt = b + 10_000;                            // ten segments in flight; the first is lost
    SackScoreboard s = board(b);
    assertThat(s.pipe(b, nxt)).isEqualTo(10_000);
    // Three duplicate ACKs, each SACKing one more segment.
    assertThat(s.update(b, nxt, blocks(b, "1000-2000"))).isEqualTo(1000);
    assertThat(s.update(b, nxt, blocks(b, "1000-3000"))).isEqualTo(1000);
    assertThat(s.isLost(b)).isFalse();
    assertThat(s.pipe(b, nxt)).isEqualTo(8000);
    assertThat(s.update(b, nxt, blocks(b, "1000-4000"))).isEqualTo(1000);
    assertThat(s.isLost(b)).isTrue();
    assertThat(s.pipe(b, nxt)).isEqualTo(6000);      // 0-1000 lost, 1000-4000 SACKed

    Retransmit first = s.enterRecovery(b, nxt);
    assertThat(first).isEqualTo(new Retransmit(b, 1000, Rule.FAST_RETRANSMIT));
    assertThat(s.inRecovery()).isTrue();
    assertThat(s.recoveryPoint()).isEqualTo(nxt);
    s.markRetransmitted(first.seq(), first.len());
    assertThat(s.pipe(b, nxt)).isEqualTo(7000);      // §5 step C.4: plus the retransmission
    // Nothing else is lost; new data next, or nothing at all (no rescue before HighACK > RescueRxt).
    assertThat(s.nextSeg(b, nxt, true)).isEqualTo(new NewData(nxt, MSS));
    assertThat(s.nextSeg(b, nxt, false)).isEqualTo(SackScoreboard.NOTHING);

    // More duplicate ACKs for segments sent before the loss was detected.
    s.update(b, nxt, blocks(b, "1000-6000"));
    assertThat(s.pipe(b, nxt)).isEqualTo(5000);      // 6000-10000 and the retransmission
    // The retransmission arrives: the ACK jumps to 6000, recovery goes on until 10000.
    s.update(b + 6000, nxt, List.of());
    assertThat(s.pipe(b + 6000, nxt)).isEqualTo(4000);
    assertThat(s.inRecovery()).isTrue();
    s.update(nxt, nxt, List.of());
    assertThat(s.inRecovery()).isFalse();            // §5 (A): RecoveryPoint acknowledged
    assertThat(s.pipe(nxt, nxt)).isZero();
    assertThat(s.retransmittedBlocks()).isEmpty();
  }

  @ParameterizedTest(name = "base {0}")
  @ValueSource(strings = {"0x0", "0x7fffe000", "0xffffe000"})
  void multipleLossesNextSegOrderIsLostThenNewDataThenRescue(String baseHex) {
    int b = parseBase(baseHex);
    int nxt = b + 10_000;
    SackScoreboard s = board(b);
    // Lost: 0-1000, 2000-3000, 5000-6000 and 9000-10000 (the tail).
    s.update(b, nxt, blocks(b, "1000-2000 3000-5000 6000-9000"));
    assertThat(s.isLost(b)).isTrue();                // 3 ranges above
    assertThat(s.isLost(b + 2000)).isTrue();         // 5000 bytes above
    assertThat(s.isLost(b + 5000)).isTrue();         // 3000 bytes above
    assertThat(s.isLost(b + 9000)).isFalse();        // nothing above: the tail is not known lost
    assertThat(s.pipe(b, nxt)).isEqualTo(1000);

    Retransmit first = s.enterRecovery(b, nxt);
    assertThat(first).isEqualTo(new Retransmit(b, 1000, Rule.FAST_RETRANSMIT));
    s.markRetransmitted(first.seq(), first.len());
    // Rule 1 before rule 2 even when new data may be sent.
    assertThat(s.nextSeg(b, nxt, true)).isEqualTo(new Retransmit(b + 2000, 1000, Rule.LOST));
    s.markRetransmitted(b + 2000, 1000);
    assertThat(s.nextSeg(b, nxt, true)).isEqualTo(new Retransmit(b + 5000, 1000, Rule.LOST));
    s.markRetransmitted(b + 5000, 1000);
    assertThat(s.pipe(b, nxt)).isEqualTo(4000);      // the tail and three retransmissions
    assertThat(offsets(b, s.retransmittedBlocks())).isEqualTo("0-1000 2000-3000 5000-6000");
    // Rule 2.
    assertThat(s.nextSeg(b, nxt, true)).isEqualTo(new NewData(nxt, MSS));
    // No new data: no rule 3 candidate above HighRxt below the highest SACK, and rule 4 waits
    // until HighACK passes RescueRxt, the end of the first retransmission (§5 step 4.3).
    assertThat(s.nextSeg(b, nxt, false)).isEqualTo(SackScoreboard.NOTHING);
    s.update(b + 1000, nxt, blocks(b, "1000-2000"));  // ACK of exactly the first retransmission
    assertThat(s.nextSeg(b + 1000, nxt, false)).isEqualTo(SackScoreboard.NOTHING);
    s.update(b + 2000, nxt, blocks(b, "3000-5000"));  // HighACK 1999 > RescueRxt 999
    Retransmit rescue = (Retransmit) s.nextSeg(b + 2000, nxt, false);
    assertThat(rescue).isEqualTo(new Retransmit(b + 9000, 1000, Rule.RESCUE));
    assertThat(s.nextSeg(b + 2000, nxt, true)).isEqualTo(new NewData(nxt, MSS));  // rule 2 still first
    s.markRescueRetransmitted(rescue.seq(), rescue.len());
    assertThat(s.pipe(b + 2000, nxt)).isEqualTo(1000 + 1000 + 1000 + 1000);  // tail, its rescue, two retransmissions
    // One rescue per recovery: RescueRxt is now RecoveryPoint.
    s.update(b + 6000, nxt, List.of());
    assertThat(s.nextSeg(b + 6000, nxt, false)).isEqualTo(SackScoreboard.NOTHING);
    assertThat(s.inRecovery()).isTrue();
  }

  @Test void lastResortRetransmitsUnsackedDataThatIsNotYetLost() {
    SackScoreboard s = board(0);
    s.update(0, 8000, blocks(0, "1000-2000 3000-3500"));
    assertThat(s.isLost(0)).isFalse();               // two ranges, 1500 bytes
    // The sender entered recovery on three duplicate ACKs (RFC 6675 §5 step 2).
    Retransmit first = s.enterRecovery(0, 8000);
    s.markRetransmitted(first.seq(), first.len());
    assertThat(s.nextSeg(0, 8000, true)).isEqualTo(new NewData(8000, MSS));
    // Rule 3 stops at the next SACKed range.
    assertThat(s.nextSeg(0, 8000, false)).isEqualTo(new Retransmit(2000, 1000, Rule.LAST_RESORT));
    s.markRetransmitted(2000, 1000);
    // Above HighRxt only SACKed data below the highest SACK: rule 4, the highest unSACKed run.
    assertThat(s.nextSeg(0, 8000, false)).isEqualTo(SackScoreboard.NOTHING);   // RescueRxt 999
    s.update(1000, 8000, List.of());
    assertThat(s.nextSeg(1000, 8000, false)).isEqualTo(SackScoreboard.NOTHING);  // HighACK 999 = RescueRxt
    s.update(2000, 8000, List.of());
    assertThat(s.nextSeg(2000, 8000, false)).isEqualTo(new Retransmit(7000, 1000, Rule.RESCUE));
  }

  @Test void segmentsAreCutAtSackedRangesAndAtSndNxt() {
    SackScoreboard s = board(0);
    s.update(0, 4800, blocks(0, "400-1000 1500-1600 2000-4500"));
    Retransmit first = s.enterRecovery(0, 4800);
    assertThat(first).isEqualTo(new Retransmit(0, 400, Rule.FAST_RETRANSMIT));
    s.markRetransmitted(0, 400);
    assertThat(s.nextSeg(0, 4800, false)).isEqualTo(new Retransmit(1000, 500, Rule.LOST));
    s.markRetransmitted(1000, 500);
    assertThat(s.nextSeg(0, 4800, false)).isEqualTo(new Retransmit(1600, 400, Rule.LOST));
    s.markRetransmitted(1600, 400);
    assertThat(s.nextSeg(0, 4800, false)).isEqualTo(SackScoreboard.NOTHING);
    s.update(1500, 4800, List.of());
    // Rescue: the highest unSACKed run is 4500-4800, shorter than an SMSS.
    assertThat(s.nextSeg(1500, 4800, false)).isEqualTo(new Retransmit(4500, 300, Rule.RESCUE));
  }

  @Test void rescueEndsBelowATopRangeThatReachesSndNxt() {
    SackScoreboard s = board(0);
    s.update(0, 10_000, blocks(0, "2000-3000 8000-10000"));
    s.markRetransmitted(0, 1000);                    // e.g. after an earlier timeout
    s.enterRecovery(0, 10_000);
    s.update(1500, 10_000, List.of());               // HighACK beyond RescueRxt
    s.markRetransmitted(1500, 500);
    s.markRetransmitted(3000, 5000);
    // Rules 1 and 3 have nothing above HighRxt (7999); the highest unSACKed byte is 7999.
    assertThat(s.nextSeg(1500, 10_000, false)).isEqualTo(new Retransmit(7000, 1000, Rule.RESCUE));
  }

  @ParameterizedTest(name = "SACKed {0}, retransmitted {1}: pipe {2}")
  @CsvSource({
      // SND.UNA = 0, SND.NXT = 10000, SMSS 1000
      "'',                          '',                10000",
      "'',                          '0-1000',          11000",   // a retransmission of data not known lost
      "'1000-4000',                 '',                6000",    // 0-1000 lost
      "'1000-4000',                 '0-1000',          7000",
      "'1000-2000',                 '',                9000",    // 0-1000 not lost: counted once
      "'1000-2000',                 '0-1000',          10000",   // and once more retransmitted
      "'1000-2000 3000-4000 5000-6000', '',            6000",    // 0-1000 lost (3 ranges); 2000-3000 not
      "'1000-4000',                 '0-4000',          7000",    // retransmitted SACKed bytes do not count
      "'7000-10000',                '',                0",       // everything below is lost
  })
  void pipe(String sacks, String retransmitted, long expected) {
    for (String baseHex : BASES.split(",")) {
      int base = parseBase(baseHex);
      SackScoreboard s = board(base);
      s.update(base, base + 10_000, blocks(base, sacks));
      for (int[] r : blocks(base, retransmitted)) s.markRetransmitted(r[0], r[1] - r[0]);
      assertThat(s.pipe(base, base + 10_000)).as("base %x", base).isEqualTo(expected);
    }
  }

  @Test void enterRecoveryNeedsSomethingOutstanding() {
    SackScoreboard s = board(500);
    assertThatThrownBy(() -> s.enterRecovery(500, 500)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.markRetransmitted(500, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SackScoreboard(0, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SackScoreboard(MSS, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test void resetEndsRecoveryAndForgetsRetransmissions() {
    SackScoreboard s = board(0);
    s.update(0, 10_000, blocks(0, "1000-4000"));
    s.enterRecovery(0, 10_000);
    s.markRetransmitted(0, 1000);
    s.reset(0);
    assertThat(s.inRecovery()).isFalse();
    assertThat(s.retransmittedBlocks()).isEmpty();
    assertThat(s.sackedBytes()).isZero();
    assertThat(s.pipe(0, 10_000)).isEqualTo(10_000);
  }

  // ---- Bounds

  @Test void sackRangesAreCapped() {
    int base = 0xffff_a000;                          // the ranges cross 2^32
    SackScoreboard s = board(base);
    int nxt = base + 1_000_000;
    // A peer reports 300 one-byte holes, four blocks an ACK, ascending.
    for (int i = 1; i <= 300; i += 4) {
      List<int[]> acks = new ArrayList<>();
      for (int k = i; k < i + 4 && k <= 300; k++) acks.add(new int[] {base + k * 100, base + k * 100 + 10});
      s.update(base, nxt, acks);
    }
    assertThat(s.blocks()).hasSize(SackScoreboard.DEFAULT_MAX_RANGES);
    assertThat(s.sackRangesEvicted()).isEqualTo(300 - 256);
    assertThat(s.highestSacked()).isEqualTo(base + 256 * 100 + 10);   // the far end went
    assertThat(s.sackedBytes()).isEqualTo(256 * 10);

    // Blocks that merge with held ranges need no room.
    assertThat(s.update(base, nxt, blocks(base, "100-200"))).isEqualTo(90);
    assertThat(s.blocks()).hasSize(255);
    assertThat(s.sackRangesEvicted()).isEqualTo(44);
    assertThat(s.update(base, nxt, blocks(base, "50-60"))).isEqualTo(10);  // room again
    // Full: a new range below the top evicts the top; one above it is dropped.
    assertThat(s.update(base, nxt, blocks(base, "20-30"))).isEqualTo(10);
    assertThat(s.sackRangesEvicted()).isEqualTo(45);
    assertThat(s.highestSacked()).isEqualTo(base + 255 * 100 + 10);
    assertThat(s.update(base, nxt, blocks(base, "900000-900010"))).isZero();
    assertThat(s.sackRangesEvicted()).isEqualTo(46);
    assertThat(s.blocks()).hasSize(256);
    assertThat(offsets(base, s.blocks().subList(0, 3))).isEqualTo("20-30 50-60 100-210");
  }

  @Test void retransmittedRangesAreCappedByMergingTheClosest() {
    SackScoreboard s = new SackScoreboard(MSS, 3, 2);
    s.reset(0);
    s.update(0, 10_000, blocks(0, "1000-2000 3000-4000"));
    s.markRetransmitted(0, 1000);
    s.markRetransmitted(2000, 1000);
    assertThat(offsets(0, s.retransmittedBlocks())).isEqualTo("0-1000 2000-3000");
    s.markRetransmitted(8000, 500);
    // 0-1000 and 2000-3000 are closest (1000 apart); the SACKed gap between adds nothing to pipe.
    assertThat(offsets(0, s.retransmittedBlocks())).isEqualTo("0-3000 8000-8500");
    // Not lost: 0-1000, 2000-3000 and 4000-10000; retransmitted and unSACKed: 0-1000, 2000-3000, 8000-8500.
    assertThat(s.pipe(0, 10_000)).isEqualTo(6000 + 2000 + 2000 + 500);
    // The SACK cap is its own: three SACKed ranges with a cap of two.
    s.update(0, 10_000, blocks(0, "5000-5100"));
    assertThat(offsets(0, s.blocks())).isEqualTo("1000-2000 3000-4000");
    assertThat(s.sackRangesEvicted()).isEqualTo(1);
  }

  @Test void retransmissionsBelowSndUnaAreIgnored() {
    SackScoreboard s = board(5000);
    s.markRetransmitted(4000, 500);
    s.markRetransmitted(4500, 1000);
    assertThat(offsets(0, s.retransmittedBlocks())).isEqualTo("5000-5500");
  }
}
