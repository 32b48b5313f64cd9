package io.tapnfs.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NewRenoTest {
  static final int MSS = 1460;
  static final long MS = 1_000_000L, S = 1_000_000_000L;
  static final long T0 = -3 * S;       // nanoTime may be negative; only differences count
  static final long IW = 10 * MSS;

  /**
   * A sender with unlimited data on a path of fixed RTT and no loss. One {@link #round} is one
   * RTT: every byte in flight at its start is acknowledged, ACKs evenly spread, each covering
   * {@code segsPerAck} segments; after each ACK the sender fills cwnd again with whole segments
   * (the ACK clock), and those are acknowledged in the next round.
   */
  static final class AckClock {
    final CongestionControl cc;
    final long rtt;
    final int segsPerAck;
    long now;
    long inFlight;

    AckClock(CongestionControl cc, long now, long rtt, int segsPerAck) {
      this.cc = cc;
      this.now = now;
      this.rtt = rtt;
      this.segsPerAck = segsPerAck;
    }

    void fill() {
      long room = cc.cwnd() - inFlight;
      if (room >= cc.mss()) inFlight += room / cc.mss() * cc.mss();
    }

    /** One RTT of ACKs, the window refilled after each. */
    void round() { ackAll(true); }

    /** The application has no more data: the flight is acknowledged over one RTT and not refilled. */
    void drain() { ackAll(false); }

    void rounds(int n) {
      for (int i = 0; i < n; i++) round();
    }

    private void ackAll(boolean refill) {
      if (refill) fill();
      long perAck = (long) segsPerAck * cc.mss();
      long toAck = inFlight;
      int acks = (int) ((toAck + perAck - 1) / perAck);
      long start = now;
      for (int i = 1; i <= acks; i++) {
        now = start + rtt * i / acks;
        long a = Math.min(perAck, toAck);
        toAck -= a;
        inFlight -= a;
        cc.onAck(now, a, rtt, inFlight);
        if (refill) fill();
      }
    }
  }

  /** A NewReno in congestion avoidance at exactly {@code segs} segments: entered via fast recovery. */
  static NewReno inCongestionAvoidance(int segs) {
    NewReno cc = new NewReno(MSS);
    cc.onEnterRecovery(T0, 2L * segs * MSS);
    cc.onExitRecovery(T0);
    assertThat(cc.cwnd()).isEqualTo((long) segs * MSS);
    assertThat(cc.ssthresh()).isEqualTo((long) segs * MSS);
    return cc;
  }

  @ParameterizedTest(name = "MSS {0}: IW {1}")
  @CsvSource({
      "536,  5360",     // 10 segments
      "1000, 10000",
      "1460, 14600",    // the 14600 bytes of RFC 6928 §2
      "4000, 14600",    // 3.65 segments
      "9000, 18000",    // 2 segments
  })
  void initialWindowIsRfc6928(int mss, long iw) {
    assertThat(CongestionControl.initialWindow(mss)).isEqualTo(iw);
    assertThat(new NewReno(mss).cwnd()).isEqualTo(iw);
    assertThat(new Cubic(mss).cwnd()).isEqualTo(iw);
    assertThat(new NewReno(mss).ssthresh()).isEqualTo(Long.MAX_VALUE);
  }

  /** With an ACK per segment, or per two (delayed ACKs, and ABC L = 2*SMSS), cwnd doubles each RTT. */
  @ParameterizedTest(name = "{0} segment(s) per ACK")
  @ValueSource(ints = {1, 2})
  void slowStartDoublesEachRtt(int segsPerAck) {
    NewReno cc = new NewReno(MSS);
    AckClock clock = new AckClock(cc, T0, 10 * MS, segsPerAck);
    for (int r = 1; r <= 6; r++) {
      clock.round();
      assertThat(cc.cwnd()).as("after %d RTTs", r).isEqualTo(IW << r);
    }
    assertThat(cc.inSlowStart()).isTrue();
  }

  /** RFC 3465 §2.3: one ACK opens cwnd by at most L = 2*SMSS. */
  @Test void slowStartIncreasePerAckIsLimitedToTwoSegments() {
    NewReno cc = new NewReno(MSS);
    cc.onAck(T0, 10L * MSS, -1, 0);                    // a stretch ACK for the whole IW
    assertThat(cc.cwnd()).isEqualTo(IW + 2 * MSS);
    cc.onAck(T0, 100, -1, IW);                         // a small segment: its bytes, not a whole MSS
    assertThat(cc.cwnd()).isEqualTo(IW + 2 * MSS + 100);
  }

  /** RFC 5681 §3.1 with byte counting (RFC 3465 §2.1): one SMSS per RTT, exactly. */
  @ParameterizedTest(name = "{0} segment(s) per ACK")
  @ValueSource(ints = {1, 2, 3})
  void congestionAvoidanceAddsOneMssPerRtt(int segsPerAck) {
    NewReno cc = inCongestionAvoidance(20);
    AckClock clock = new AckClock(cc, T0, 10 * MS, segsPerAck);
    for (int r = 1; r <= 30; r++) {
      clock.round();
      assertThat(cc.cwnd()).as("after %d RTTs", r).isEqualTo((20L + r) * MSS);
    }
    assertThat(cc.ssthresh()).isEqualTo(20L * MSS);
  }

  /** The ACK that crosses ssthresh grows cwnd to ssthresh; its bytes beyond go to byte counting. */
  @Test void slowStartStopsAtSsthresh() {
    NewReno cc = new NewReno(MSS);
    cc.onRetransmitTimeout(T0, 2 * (5L * MSS + 700));  // ssthresh 5 MSS + 700 bytes, cwnd 1 MSS
    AckClock clock = new AckClock(cc, T0, 10 * MS, 1);
    clock.rounds(2);                                   // 1 -> 2 -> 4 segments
    assertThat(cc.cwnd()).isEqualTo(4L * MSS);
    clock.round();                                     // 4 ACKs: 5, 5 + 700 bytes (stop), then CA
    assertThat(cc.cwnd()).isEqualTo(5L * MSS + 700);
    assertThat(cc.inSlowStart()).isFalse();
  }

  @ParameterizedTest(name = "FlightSize {0}: ssthresh = cwnd = {1}")
  @CsvSource({
      "58400, 29200",    // 40 segments halve to 20
      "10001, 5000",     // FlightSize / 2, rounded down
      "4380,  2920",     // 3 segments: the 2*SMSS floor
      "0,     2920",
  })
  void fastRetransmitHalvesTheFlight(long flight, long ssthresh) {
    NewReno cc = new NewReno(MSS);
    new AckClock(cc, T0, 10 * MS, 1).rounds(3);        // cwnd 80 segments, which must not matter
    cc.onEnterRecovery(T0 + S, flight);                // RFC 5681 §3.2 eq. 4
    assertThat(cc.ssthresh()).isEqualTo(ssthresh);
    assertThat(cc.cwnd()).isEqualTo(ssthresh);         // no +3 SMSS inflation (the caller's)
    cc.onExitRecovery(T0 + S);
    assertThat(cc.cwnd()).isEqualTo(ssthresh);         // RFC 6582 §3.2 step 3, option (2)
  }

  @Test void timeoutLeavesOneSegmentAndSlowStartsBack() {
    NewReno cc = inCongestionAvoidance(40);
    cc.onRetransmitTimeout(T0 + S, 40L * MSS);         // RFC 5681 §3.1 eq. 4 and LW
    assertThat(cc.cwnd()).isEqualTo(MSS);
    assertThat(cc.ssthresh()).isEqualTo(20L * MSS);
    AckClock clock = new AckClock(cc, T0 + S, 10 * MS, 1);
    clock.rounds(4);                                   // 1, 2, 4, 8, 16 segments
    assertThat(cc.cwnd()).isEqualTo(16L * MSS);
    clock.round();
    assertThat(cc.cwnd()).isEqualTo(20L * MSS);        // not 32: slow start ends at ssthresh
    clock.round();
    assertThat(cc.cwnd()).isEqualTo(21L * MSS);
  }

  /** RFC 3465 §2.3: L = 1*SMSS in the slow start after a timeout. */
  @Test void afterATimeoutSlowStartCountsOneSegmentPerAck() {
    NewReno cc = inCongestionAvoidance(40);
    cc.onRetransmitTimeout(T0, 40L * MSS);
    cc.onAck(T0 + S, 4L * MSS, -1, 0);                 // go-back-N: one ACK covers four segments
    assertThat(cc.cwnd()).isEqualTo(2L * MSS);
  }

  /** RFC 5681 §3.1: ssthresh is held when the timer fires again for the same data. */
  @Test void repeatedTimeoutHoldsSsthresh() {
    NewReno cc = inCongestionAvoidance(40);
    cc.onRetransmitTimeout(T0, 40L * MSS);
    cc.onRetransmitTimeout(T0 + S, 40L * MSS);
    cc.onRetransmitTimeout(T0 + 3 * S, 2L * MSS);
    assertThat(cc.ssthresh()).isEqualTo(20L * MSS);
    cc.onAck(T0 + 4 * S, MSS, -1, 0);                  // progress: the next timeout is a new event
    cc.onRetransmitTimeout(T0 + 5 * S, 6L * MSS);
    assertThat(cc.ssthresh()).isEqualTo(3L * MSS);
    assertThat(cc.cwnd()).isEqualTo(MSS);
  }

  @Test void fullAckAfterATimeoutDoesNotRestoreTheWindow() {
    NewReno cc = inCongestionAvoidance(40);
    cc.onEnterRecovery(T0, 40L * MSS);
    cc.onRetransmitTimeout(T0 + S, 40L * MSS);
    cc.onExitRecovery(T0 + 2 * S);
    assertThat(cc.cwnd()).isEqualTo(MSS);
  }

  /** RFC 5681 §4.1: after more than an RTO without sending, cwnd is at most the restart window. */
  @ParameterizedTest(name = "idle {0} ms with RTO 300 ms: cwnd {1} -> {2} segments")
  @CsvSource({
      "301,  40, 10",    // idle beyond RTO: back to IW
      "300,  40, 40",    // not beyond
      "5000, 6,  6",     // RW = min(IW, cwnd): never raised
  })
  void restartAfterIdle(long idleMs, int cwndSegs, int afterSegs) {
    NewReno cc = inCongestionAvoidance(cwndSegs);
    cc.onIdleRestart(T0 + idleMs * MS, 300 * MS);
    assertThat(cc.cwnd()).isEqualTo((long) afterSegs * MSS);
    assertThat(cc.ssthresh()).isEqualTo((long) cwndSegs * MSS);   // §4.1 changes cwnd only
  }

  @Test void idlenessIsMeasuredFromTheLastAck() {
    NewReno cc = inCongestionAvoidance(40);
    AckClock clock = new AckClock(cc, T0, 10 * MS, 1);
    clock.round();
    clock.drain();
    long cwnd = cc.cwnd();
    cc.onIdleRestart(clock.now + 300 * MS, 300 * MS);   // exactly one RTO after the last ACK
    assertThat(cc.cwnd()).isEqualTo(cwnd);
    cc.onIdleRestart(clock.now + 601 * MS, 300 * MS);   // 301 ms after the previous call
    assertThat(cc.cwnd()).isEqualTo(IW);
  }

  @Test void applicationLimitedAcksDoNotGrowTheWindow() {
    NewReno cc = new NewReno(MSS);
    cc.onAck(T0, MSS, -1, 0);                          // 1 of 10 segments in flight: app-limited
    assertThat(cc.cwnd()).isEqualTo(IW);
    cc.onAck(T0, MSS, -1, 5L * MSS);                   // 6 of 10: more than half, grows
    assertThat(cc.cwnd()).isEqualTo(IW + MSS);

    NewReno ca = inCongestionAvoidance(20);
    for (int i = 0; i < 100; i++) ca.onAck(T0 + i, MSS, -1, 10L * MSS);   // half the window used
    assertThat(ca.cwnd()).isEqualTo(20L * MSS);
    for (int i = 0; i < 20; i++) ca.onAck(T0 + 100 + i, MSS, -1, -1);     // unknown flight: limited
    assertThat(ca.cwnd()).isEqualTo(21L * MSS);
  }

  @Test void mssFromTheHandshakeResetsTheInitialWindow() {
    NewReno cc = new NewReno(536);
    assertThat(cc.cwnd()).isEqualTo(5360);
    cc.setMss(1460);
    assertThat(cc.cwnd()).isEqualTo(14600);
    assertThat(cc.mss()).isEqualTo(1460);
  }

  @Test void mssChangeLaterKeepsTheBytes() {
    NewReno cc = inCongestionAvoidance(20);
    cc.setMss(1200);                                   // PMTU went down
    assertThat(cc.cwnd()).isEqualTo(20L * MSS);
    assertThat(cc.ssthresh()).isEqualTo(20L * MSS);
    cc.onRetransmitTimeout(T0, 40L * MSS);
    assertThat(cc.cwnd()).isEqualTo(1200);
    cc.setMss(9000);
    assertThat(cc.cwnd()).isEqualTo(9000);             // at least one segment
    assertThat(cc.ssthresh()).isEqualTo(29200);        // already above 2 * 9000
  }

  @Test void nothingAckedChangesNothing() {
    NewReno cc = new NewReno(MSS);
    cc.onAck(T0, 0, -1, 0);
    cc.onAck(T0, -5, -1, 0);
    assertThat(cc.cwnd()).isEqualTo(IW);
  }

  @ParameterizedTest(name = "\"{0}\" -> {1}")
  @CsvSource({"cubic, cubic", "CUBIC, cubic", "newreno, newreno", "reno, newreno", "' Reno ', newreno"})
  void factoryNames(String name, String made) {
    CongestionControl cc = CongestionControl.create(name, MSS);
    assertThat(cc.name()).isEqualTo(made);
    assertThat(cc.mss()).isEqualTo(MSS);
    assertThat(CongestionControl.create(CongestionControl.DEFAULT, MSS).name()).isEqualTo("cubic");
  }

  @Test void factoryRefusesUnknownNamesListingTheValidOnes() {
    assertThatThrownBy(() -> CongestionControl.create("bbr", MSS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bbr").hasMessageContaining("cubic").hasMessageContaining("newreno");
    assertThatThrownBy(() -> CongestionControl.create(null, MSS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CongestionControl.create("reno", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NewReno(MSS).setMss(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
