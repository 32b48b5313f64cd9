package io.tapnfs.netstack.tcp;

import static io.tapnfs.netstack.tcp.NewRenoTest.IW;
import static io.tapnfs.netstack.tcp.NewRenoTest.MS;
import static io.tapnfs.netstack.tcp.NewRenoTest.MSS;
import static io.tapnfs.netstack.tcp.NewRenoTest.S;
import static io.tapnfs.netstack.tcp.NewRenoTest.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tapnfs.netstack.tcp.NewRenoTest.AckClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CUBIC against the RFC 9438 formulas. Windows are compared in segments. Where the window is
 * simulated over time ({@link AckClock}: fixed RTT, no loss, an ACK per segment) the RFC does not
 * give a single number, since cwnd moves toward target = W_cubic(t + RTT) by (target - cwnd)/cwnd
 * per ACK. The band every round must stay in, t in seconds since t_epoch:
 * W_cubic(t - 2 RTT) <= cwnd(t) <= max(W_cubic(t + RTT), W_est). The top is exact: cwnd never
 * passes target or W_est. The bottom is a tolerance: an increment proportional to the gap closes
 * only about 1 - 1/e of it per RTT, so cwnd trails the curve, most (in time) where it flattens.
 */
class CubicTest {
  static final double EPS = 1e-9;

  /** A CUBIC that just left fast recovery for a loss at exactly {@code segs} segments. */
  static Cubic lossAt(int segs, boolean fastConvergence) {
    Cubic cc = new Cubic(MSS, fastConvergence);
    long w = (long) segs * MSS;
    while (cc.cwnd() < w) cc.onAck(T0, Math.min(2L * MSS, w - cc.cwnd()), -1, cc.cwnd());
    assertThat(cc.cwnd()).isEqualTo(w);
    cc.onEnterRecovery(T0, w);
    cc.onExitRecovery(T0);
    return cc;
  }

  static Cubic lossAt(int segs) { return lossAt(segs, true); }

  static double segs(double bytes) { return bytes / MSS; }

  /** W_cubic in segments, t seconds after the epoch: RFC 9438 §4.2 eq. 1 written out here. */
  static double wCubic(double t, double k, double wMaxSegs) {
    return 0.4 * Math.pow(t - k, 3) + wMaxSegs;
  }

  static double t(Cubic cc, long now) { return (now - cc.epochStart()) / 1e9; }

  static void assertInBand(Cubic cc, long now, double rttSeconds) {
    double t = t(cc, now);
    double lo = segs(cc.wCubic(t - 2 * rttSeconds)), hi = Math.max(segs(cc.wCubic(t + rttSeconds)), segs(cc.wEst()));
    assertThat(segs(cc.cwndExact())).as("cwnd at t = %.3f s", t).isBetween(lo - EPS, hi + EPS);
  }

  @Test void constants() {
    assertThat(Cubic.C).isEqualTo(0.4);
    assertThat(Cubic.BETA).isEqualTo(0.7);
    assertThat(Cubic.ALPHA).isCloseTo(0.9 / 1.7, within(EPS));   // 3 * (1 - 0.7) / (1 + 0.7)
  }

  @Test void slowStartIsReno() {
    Cubic cc = new Cubic(MSS);
    AckClock clock = new AckClock(cc, T0, 10 * MS, 2);
    for (int r = 1; r <= 5; r++) {
      clock.round();
      assertThat(cc.cwnd()).isEqualTo(IW << r);
    }
    assertThat(cc.inEpoch()).isFalse();
  }

  /** §4.6: ssthresh = cwnd = FlightSize * 0.7, at least 2 MSS; W_max and cwnd_prior keep the old cwnd. */
  @ParameterizedTest(name = "FlightSize {0} segments: ssthresh {1} bytes")
  @CsvSource({
      "100, 102200",
      "40,  40880",
      "10,  10220",
      "3,   3066",
      "2,   2920",     // 1.4 segments, raised to 2
      "0,   2920",
  })
  void multiplicativeDecreaseIsBetaTimesFlight(int flightSegs, long ssthresh) {
    Cubic cc = new Cubic(MSS);
    new AckClock(cc, T0, 10 * MS, 1).rounds(2);        // cwnd 40 segments
    double before = cc.cwndExact();
    cc.onEnterRecovery(T0 + S, (long) flightSegs * MSS);
    assertThat(cc.ssthresh()).isEqualTo(ssthresh);
    assertThat(cc.cwnd()).isEqualTo(ssthresh);
    assertThat(cc.wMax()).isEqualTo(before);
    assertThat(cc.cwndPrior()).isEqualTo(before);
    cc.onExitRecovery(T0 + S);
    assertThat(cc.cwnd()).isEqualTo(ssthresh);
  }

  /** §4.2 eq. 2 with cwnd_epoch = 0.7 * W_max: K = cbrt(W_max * 0.3 / 0.4). */
  @ParameterizedTest(name = "W_max {0} segments: K = {1} s")
  @CsvSource({
      "10,   1.9574338205844317",     // cbrt(7.5)
      "100,  4.217163326508746",      // cbrt(75)
      "1000, 9.085602964160698",      // cbrt(750)
  })
  void kForAKnownWMax(int wMax, double k) {
    Cubic cc = lossAt(wMax);
    assertThat(cc.inEpoch()).isFalse();
    cc.onAck(T0 + MS, MSS, 100 * MS, cc.cwnd() - MSS);   // the first ACK in congestion avoidance starts the epoch
    assertThat(cc.inEpoch()).isTrue();
    assertThat(cc.epochStart()).isEqualTo(T0 + MS);
    assertThat(cc.kSeconds()).isCloseTo(k, within(EPS));
    assertThat(segs(cc.wCubic(0))).isCloseTo(0.7 * wMax, within(EPS));   // W_cubic(0) = cwnd_epoch
    assertThat(segs(cc.wCubic(k))).isCloseTo(wMax, within(EPS));         // W_cubic(K) = W_max
    assertThat(segs(cc.wCubic(k + 1))).isCloseTo(wMax + 0.4, within(EPS));
  }

  /**
   * After a loss at W_max = 100 segments, RTT 200 ms (W_est stays far below the curve): cwnd stays
   * in the band every RTT and is back at W_max at t = K. W_cubic is flat there: two RTTs before K
   * it is C * (2 RTT)^3 = 0.0256 segments below W_max, so the band allows 0.03 segment at the
   * sample nearest K (at most half an RTT away).
   */
  @Test void returnsToWMaxAtK() {
    Cubic cc = lossAt(100);
    AckClock clock = new AckClock(cc, T0, 200 * MS, 1);
    double k = Math.cbrt(75), nearest = Double.MAX_VALUE, atK = 0;
    for (int r = 0; r < 60; r++) {
      clock.round();
      assertInBand(cc, clock.now, 0.2);
      double t = t(cc, clock.now);
      if (Math.abs(t - k) < nearest) {
        nearest = Math.abs(t - k);
        atK = segs(cc.cwndExact());
      }
    }
    assertThat(cc.kSeconds()).isCloseTo(k, within(EPS));
    assertThat(nearest).isLessThanOrEqualTo(0.1);
    assertThat(atK).isCloseTo(100, within(0.03));
    assertThat(segs(cc.wEst())).isLessThan(segs(cc.cwndExact()) / 2);   // far from Reno-friendly
  }

  /**
   * Concave below W_max, convex above: growth per second shrinks until K and then grows
   * (the sign of W_cubic''(t) = 6C(t - K)). Intervals that straddle K are not compared.
   */
  @Test void concaveThenConvex() {
    Cubic cc = lossAt(100);
    AckClock clock = new AckClock(cc, T0, 200 * MS, 1);
    clock.round();
    List<double[]> samples = new ArrayList<>();   // {t, cwnd} each second (5 RTTs)
    for (int i = 0; i <= 9; i++) {
      samples.add(new double[] {t(cc, clock.now), segs(cc.cwndExact())});
      clock.rounds(5);
    }
    double k = cc.kSeconds();
    for (int i = 0; i + 2 < samples.size(); i++) {
      double[] a = samples.get(i), b = samples.get(i + 1), c = samples.get(i + 2);
      double first = b[1] - a[1], second = c[1] - b[1];
      if (c[0] <= k) assertThat(second).as("concave before K, from t = %.2f", a[0]).isLessThan(first);
      if (a[0] >= k) assertThat(second).as("convex after K, from t = %.2f", a[0]).isGreaterThan(first);
      assertThat(first).isPositive();
    }
    for (double[] s : samples) {
      if (s[0] < k - 0.2) assertThat(s[1]).isLessThan(100);
      if (s[0] > k + 0.2) assertThat(s[1]).isGreaterThan(100);
    }
  }

  /**
   * §4.3 at a small BDP: W_max 20 segments, RTT 1 ms. W_cubic hardly moves in 100 ms (14 to
   * 14.7 segments) while W_est grows alpha_cubic = 0.53 segments per RTT up to cwnd_prior = 20,
   * then 1 per RTT: after 100 RTTs the fluid model of eq. 4 gives
   * 20 + (100 - 6 / alpha_cubic) = 108.67 segments. The ACK clock gives floor(cwnd) ACKs per
   * round, each dividing by a cwnd up to one segment larger, so a round gains up to
   * 2 / (cwnd + 1) segments less than the model; summed over the rounds, at most 4.2.
   */
  @Test void renoFriendlyRegionDominatesAtSmallBdp() {
    Cubic cc = lossAt(20);
    AckClock clock = new AckClock(cc, T0, MS, 1);
    clock.rounds(100);
    double expected = 20 + (100 - 6 / Cubic.ALPHA);
    double cwnd = segs(cc.cwndExact());
    assertThat(cwnd).isBetween(expected - 4.2, expected);
    assertThat(cwnd).isEqualTo(segs(cc.wEst()));       // cwnd = W_est: the Reno-friendly region
    assertThat(segs(cc.wCubic(t(cc, clock.now) + 0.001))).isLessThan(14.8);
  }

  /** The opposite: at a large BDP the cubic curve is well above W_est. */
  @Test void cubicRegionDominatesAtLargeBdp() {
    Cubic cc = lossAt(1000);
    AckClock clock = new AckClock(cc, T0, 100 * MS, 1);
    for (int r = 0; r < 30; r++) {
      clock.round();
      assertInBand(cc, clock.now, 0.1);
    }
    assertThat(segs(cc.cwndExact())).isGreaterThan(segs(cc.wEst()) + 100);
  }

  /**
   * §4.7: a loss before cwnd is back at W_max lowers W_max to cwnd * (1 + beta) / 2 = 0.85 cwnd,
   * so K (§4.2 eq. 2, from the new W_max and cwnd_epoch = ssthresh) is shorter.
   */
  @ParameterizedTest(name = "fast convergence {0}")
  @ValueSource(booleans = {true, false})
  void fastConvergenceLowersWMax(boolean fastConvergence) {
    Cubic cc = lossAt(100, fastConvergence);
    AckClock clock = new AckClock(cc, T0, 200 * MS, 1);
    clock.rounds(10);
    double w = cc.cwndExact();
    assertThat(segs(w)).isBetween(90.0, 99.0);          // below W_max = 100
    cc.onEnterRecovery(clock.now, clock.inFlight);
    double wMax = fastConvergence ? w * 0.85 : w;
    assertThat(cc.wMax()).isCloseTo(wMax, within(EPS));
    assertThat(cc.ssthresh()).isEqualTo(Math.round(clock.inFlight * 0.7));
    cc.onExitRecovery(clock.now);
    clock.inFlight = 0;
    clock.round();
    double k = Math.cbrt((segs(wMax) - segs(cc.ssthresh())) / 0.4);
    assertThat(cc.kSeconds()).isCloseTo(k, within(EPS));
    double withoutFastConvergence = Math.cbrt((segs(w) - segs(cc.ssthresh())) / 0.4);
    if (fastConvergence) assertThat(k).isLessThan(withoutFastConvergence - 0.5);
    else assertThat(k).isEqualTo(withoutFastConvergence);
  }

  /** A loss above the old W_max raises it: no fast convergence then. */
  @Test void lossAboveWMaxRemembersTheNewMaximum() {
    Cubic cc = lossAt(20);
    new AckClock(cc, T0, 200 * MS, 1).rounds(50);      // t = 10 s, far past K
    double w = cc.cwndExact();
    assertThat(segs(w)).isGreaterThan(20);
    cc.onEnterRecovery(T0 + 20 * S, (long) w);
    assertThat(cc.wMax()).isEqualTo(w);
  }

  /**
   * §4.8: a timeout leaves cwnd at 1 MSS and ssthresh at 0.7 * FlightSize; after slow start, the
   * first epoch has K = 0 and W_max = W_est = cwnd_epoch, so the curve is convex from there.
   */
  @Test void timeoutRestartsTheCurveAtTheOrigin() {
    Cubic cc = lossAt(100);
    AckClock clock = new AckClock(cc, T0, 200 * MS, 1);
    clock.rounds(10);
    long flight = clock.inFlight, t1 = clock.now;
    cc.onRetransmitTimeout(t1, flight);
    assertThat(cc.cwnd()).isEqualTo(MSS);
    long ssthresh = Math.round(flight * 0.7);
    assertThat(cc.ssthresh()).isEqualTo(ssthresh);
    cc.onRetransmitTimeout(t1 + S, 3L * MSS);           // again, no progress: ssthresh held
    assertThat(cc.ssthresh()).isEqualTo(ssthresh);
    assertThat(cc.inEpoch()).isFalse();

    cc.onAck(t1 + 2 * S, 3L * MSS, -1, 0);              // slow start after a timeout: L = 1 SMSS
    assertThat(cc.cwnd()).isEqualTo(2L * MSS);
    clock.now = t1 + 2 * S;
    clock.inFlight = 0;
    while (!cc.inEpoch()) clock.round();
    assertThat(cc.kSeconds()).isZero();
    assertThat(cc.wMax()).isEqualTo(ssthresh);          // cwnd_epoch: slow start stopped at ssthresh
    long epoch = cc.epochStart();
    for (int r = 0; r < 40; r++) {
      clock.round();
      assertInBand(cc, clock.now, 0.2);
    }
    // 8 s on, W_cubic(t) = 0.4 t^3 + cwnd_epoch is well above W_est (about 0.53 segments per RTT)
    double t = (clock.now - epoch) / 1e9;
    assertThat(segs(cc.cwndExact())).isCloseTo(wCubic(t, 0, segs(ssthresh)), within(0.4 * 3 * t * t * 0.2));
  }

  /** RFC 5681 §4.1 restart: cwnd back to IW, and the next epoch climbs back toward the kept W_max. */
  @Test void idleRestartShrinksToTheInitialWindow() {
    Cubic cc = lossAt(100);
    AckClock clock = new AckClock(cc, T0, 200 * MS, 1);
    clock.rounds(10);
    clock.drain();
    long ssthresh = cc.ssthresh();
    cc.onIdleRestart(clock.now + 2 * S, S);
    assertThat(cc.cwnd()).isEqualTo(IW);
    assertThat(cc.inEpoch()).isFalse();
    assertThat(cc.ssthresh()).isEqualTo(ssthresh);
    clock.now += 2 * S;
    while (!cc.inEpoch()) clock.round();
    assertThat(cc.kSeconds()).isCloseTo(Math.cbrt((100 - segs(ssthresh)) / 0.4), within(EPS));
  }

  /**
   * §5.8: idle time (up to an RTO) is not part of t. Two connections with the same history, one
   * idle for 5 s: from there on their windows are identical. A third idles without saying so,
   * and its next ACK sees W_cubic 5 s further on.
   */
  @Test void idleTimeIsNotPartOfTheEpoch() {
    Cubic a = lossAt(100), b = lossAt(100), c = lossAt(100);
    AckClock ca = new AckClock(a, T0, 200 * MS, 1), cb = new AckClock(b, T0, 200 * MS, 1), cc = new AckClock(c, T0, 200 * MS, 1);
    for (AckClock x : List.of(ca, cb, cc)) {
      x.rounds(5);
      x.drain();                                         // app-limited ACKs: t shifted as they come
    }
    assertThat(a.cwndExact()).isEqualTo(b.cwndExact());
    ca.now += 5 * S;
    cc.now += 5 * S;
    a.onIdleRestart(ca.now, 10 * S);                     // idle, but less than this (long) RTO
    b.onIdleRestart(cb.now, 10 * S);
    for (int r = 0; r < 20; r++) {
      ca.round();
      cb.round();
      assertThat(a.cwndExact()).isEqualTo(b.cwndExact());
      if (r == 0) {
        cc.round();
        assertThat(c.cwndExact()).as("jumped ahead").isGreaterThan(b.cwndExact() + 2 * MSS);
      }
    }
    assertThat(a.epochStart() - b.epochStart()).isEqualTo(5 * S);
  }

  @Test void applicationLimitedAcksNeitherGrowNorAge() {
    Cubic cc = lossAt(100);
    AckClock clock = new AckClock(cc, T0, 200 * MS, 1);
    clock.rounds(3);
    double cwnd = cc.cwndExact();
    long epoch = cc.epochStart();
    cc.onAck(clock.now + S, MSS, 200 * MS, 0);           // one segment was all there was to send
    assertThat(cc.cwndExact()).isEqualTo(cwnd);
    assertThat(cc.epochStart()).isEqualTo(epoch + S);
  }

  @Test void mssFromTheHandshakeResetsTheInitialWindow() {
    Cubic cc = new Cubic(536);
    assertThat(cc.cwnd()).isEqualTo(5360);
    cc.setMss(MSS);
    assertThat(cc.cwnd()).isEqualTo(IW);
  }

  @Test void mssChangeMidEpochRestartsTheCurveFromTheCurrentWindow() {
    Cubic cc = lossAt(100);
    AckClock clock = new AckClock(cc, T0, 200 * MS, 1);
    clock.rounds(5);
    double w = cc.cwndExact();
    cc.setMss(1200);
    assertThat(cc.cwndExact()).isEqualTo(w);
    assertThat(cc.inEpoch()).isFalse();
    cc.onAck(clock.now + MS, 1200, 200 * MS, (long) w - 1200);
    assertThat(cc.kSeconds()).isCloseTo(Math.cbrt((100.0 * MSS - w) / 1200 / 0.4), within(1e-6));
  }
}
