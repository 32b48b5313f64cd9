package io.tapnfs.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RttEstimatorTest {
  static final long MS = 1_000_000L, S = 1_000_000_000L;

  /** No clamping in the way: the RFC 6298 §2 formulas alone. */
  static RttEstimator unclamped(long granularity) {
    return new RttEstimator(1, Long.MAX_VALUE, S, granularity);
  }

  @Test void beforeTheFirstSampleTheRtoIsTheInitialOne() {
    RttEstimator e = new RttEstimator();
    assertThat(e.hasSample()).isFalse();
    assertThat(e.rto()).isEqualTo(S);                  // §2.1
    assertThat(e.srtt()).isZero();
    assertThat(e.rttvar()).isZero();
    assertThat(e.minRtt()).isZero();
  }

  /**
   * §2.2 then §2.3, worked by hand in milliseconds with alpha = 1/8, beta = 1/4, K = 4, G = 1 ms.
   * RTTVAR is updated with the SRTT from before the sample.
   */
  @Test void rfc6298FormulasOnExactNumbers() {
    RttEstimator e = unclamped(MS);
    double[][] steps = {
        // R,   SRTT,  RTTVAR,   RTO = SRTT + max(G, 4 * RTTVAR)
        {100,   100,   50,       300},        // §2.2: SRTT = R, RTTVAR = R/2
        {180,   110,   57.5,     340},        // RTTVAR = 3/4*50 + 1/4*|100-180|; SRTT = 7/8*100 + 1/8*180
        {110,   110,   43.125,   282.5},      // |110-110| = 0
        {30,    100,   52.34375, 309.375},    // 3/4*43.125 + 1/4*80; 7/8*110 + 1/8*30
    };
    for (double[] s : steps) {
      e.sample((long) (s[0] * MS));
      assertThat(e.srtt()).as("SRTT after %s ms", s[0]).isEqualTo((long) (s[1] * MS));
      assertThat(e.rttvar()).as("RTTVAR after %s ms", s[0]).isEqualTo((long) (s[2] * MS));
      assertThat(e.rto()).as("RTO after %s ms", s[0]).isEqualTo((long) (s[3] * MS));
    }
    assertThat(e.hasSample()).isTrue();
  }

  /** A steady RTT shrinks RTTVAR until the clock granularity G is the larger term. */
  @Test void granularityBoundsTheVarianceTerm() {
    RttEstimator e = unclamped(100 * MS);
    // RTTVAR: 50, 37.5, 28.125, 21.09375 ms; 4 * RTTVAR: 200, 150, 112.5, 84.375 (< G = 100)
    long[] rto = {300 * MS, 250 * MS, 212_500_000L, 200 * MS};
    for (long expected : rto) {
      e.sample(100 * MS);
      assertThat(e.rto()).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "first sample {0} ns gives RTO {1} ns")
  @CsvSource({
      "1000000,      200000000",       // 3 ms computed, raised to the 200 ms floor (Linux TCP_RTO_MIN)
      "50000000,     200000000",       // 150 ms computed
      "100000000,    300000000",       // 300 ms, inside the bounds
      "100000000000, 120000000000",    // 300 s computed, capped at 120 s (§2.5)
      "9223372036854775807, 120000000000",   // no overflow on absurd samples
  })
  void computedRtoIsClamped(long sample, long rto) {
    RttEstimator e = new RttEstimator();
    e.sample(sample);
    assertThat(e.rto()).isEqualTo(rto);
  }

  @Test void backoffDoublesUpToTheMaximum() {
    RttEstimator e = new RttEstimator();               // initial 1 s, max 120 s
    long[] expected = {2 * S, 4 * S, 8 * S, 16 * S, 32 * S, 64 * S, 120 * S, 120 * S, 120 * S};
    for (long rto : expected) {
      e.backoff();
      assertThat(e.rto()).isEqualTo(rto);
    }
    assertThat(e.backoffs()).isEqualTo(7);
    e.resetBackoff();
    assertThat(e.rto()).isEqualTo(S);
    assertThat(e.backoffs()).isZero();
  }

  @Test void backoffStartsFromTheComputedRto() {
    RttEstimator e = new RttEstimator();
    e.sample(100 * MS);                                // RTO 300 ms
    e.backoff();
    e.backoff();
    assertThat(e.rto()).isEqualTo(1200 * MS);
    e.resetBackoff();
    assertThat(e.rto()).isEqualTo(300 * MS);
  }

  /** Note after RFC 6298 §5.7: a new measurement "collapses" a backed-off RTO. */
  @Test void aSampleCollapsesTheBackoff() {
    RttEstimator e = new RttEstimator();
    e.backoff();
    e.backoff();
    assertThat(e.rto()).isEqualTo(4 * S);
    e.sample(100 * MS);
    assertThat(e.rto()).isEqualTo(300 * MS);
    assertThat(e.backoffs()).isZero();
  }

  @Test void minRttIsTheSmallestSampleOfTheConnection() {
    RttEstimator e = new RttEstimator();
    for (long r : new long[] {100 * MS, 40 * MS, 70 * MS, 45 * MS}) e.sample(r);
    assertThat(e.minRtt()).isEqualTo(40 * MS);
  }

  @Test void zeroSampleIsAccepted() {
    RttEstimator e = unclamped(MS);
    e.sample(0);
    assertThat(e.srtt()).isZero();
    assertThat(e.rto()).isEqualTo(MS);                 // SRTT + G
  }

  @Test void badArgumentsAreRefused() {
    assertThatThrownBy(() -> new RttEstimator().sample(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RttEstimator(0, S, S, MS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RttEstimator(2 * S, S, S, MS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RttEstimator(MS, S, 2 * S, MS)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RttEstimator(MS, S, S, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
