package io.tapnfs.netstack.icmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenBucketTest {
  static final long T0 = -7_000_000_000L;   // nanoTime may be negative; only differences count
  static final long MS = 1_000_000L;

  static int takeAll(TokenBucket b, long now) {
    int n = 0;
    while (b.tryTake(now)) n++;
    return n;
  }

  @Test void startsFullThenRefillsOneTokenPerPeriod() {
    TokenBucket b = new TokenBucket(10, 5);
    assertThat(takeAll(b, T0)).isEqualTo(5);
    assertThat(b.tryTake(T0 + 100 * MS - 1)).isFalse();
    assertThat(b.tryTake(T0 + 100 * MS)).isTrue();
    assertThat(b.tryTake(T0 + 100 * MS)).isFalse();
    assertThat(b.tryTake(T0 + 200 * MS - 1)).isFalse();
    assertThat(b.tryTake(T0 + 200 * MS)).isTrue();
  }

  /**
   * After draining, token k is due exactly at ceil(k / rate): credit is never rounded. (Burst is at
   * least 2 here so that the cap never trims the fraction carried over.)
   */
  @ParameterizedTest(name = "{0}/s, burst {1}: a token every {2} ns")
  @CsvSource({
      "1000, 50,  1000000",          // Linux icmp_msgs_per_sec / icmp_msgs_burst
      "10,   5,   100000000",
      "3,    2,   333333334",        // 333333333 ns give 0.999999999 of a token
      "0.5,  2,   2000000000",
      "1000000000, 2, 1",
  })
  void exactRefillTiming(double rate, int burst, long period) {
    TokenBucket b = new TokenBucket(rate, burst);
    assertThat(takeAll(b, T0)).isEqualTo(burst);
    assertThat((long) Math.ceil(1e9 / rate)).isEqualTo(period);
    for (int k = 1; k <= 3; k++) {
      long due = T0 + (long) Math.ceil(k * 1e9 / rate);    // credit is kept exactly, never rounded
      assertThat(b.tryTake(due - 1)).as("token %d early", k).isFalse();
      assertThat(b.tryTake(due)).as("token %d on time", k).isTrue();
      assertThat(b.tryTake(due)).isFalse();
    }
  }

  @Test void partialCreditCarriesOverBetweenCalls() {
    TokenBucket b = new TokenBucket(10, 2);
    assertThat(takeAll(b, T0)).isEqualTo(2);
    assertThat(b.tryTake(T0 + 30 * MS)).isFalse();
    assertThat(b.tryTake(T0 + 60 * MS)).isFalse();
    assertThat(b.tryTake(T0 + 90 * MS)).isFalse();
    assertThat(b.tryTake(T0 + 120 * MS)).isTrue();     // 1.2 tokens
    assertThat(b.tryTake(T0 + 180 * MS)).isFalse();    // 0.8
    assertThat(b.tryTake(T0 + 200 * MS)).isTrue();     // 1.0
  }

  @Test void creditBeyondTheBurstIsLost() {
    TokenBucket b = new TokenBucket(10, 1);
    assertThat(b.tryTake(T0)).isTrue();
    assertThat(b.tryTake(T0 + 150 * MS)).isTrue();     // 1.5 tokens earned, 1 kept
    assertThat(b.tryTake(T0 + 200 * MS)).isFalse();    // 0.5, not 1.0
    assertThat(b.tryTake(T0 + 250 * MS)).isTrue();
  }

  @Test void refillIsCappedAtTheBurst() {
    TokenBucket b = new TokenBucket(1000, 50);
    assertThat(takeAll(b, T0)).isEqualTo(50);
    assertThat(takeAll(b, T0 + 3_600_000 * MS)).isEqualTo(50);
    assertThat(takeAll(b, Long.MAX_VALUE)).isEqualTo(50);
  }

  @Test void timeGoingBackwardsGainsNothing() {
    TokenBucket b = new TokenBucket(10, 5);
    assertThat(takeAll(b, T0)).isEqualTo(5);
    assertThat(b.tryTake(T0 - 1_000 * MS)).isFalse();
    assertThat(b.tryTake(T0 - 900 * MS)).isFalse();    // "100 ms later", but still before T0
    assertThat(b.tryTake(T0 + 100 * MS - 1)).isFalse();
    assertThat(b.tryTake(T0 + 100 * MS)).isTrue();      // credit counted from T0 only, once
    assertThat(b.tryTake(T0 + 100 * MS)).isFalse();
  }

  @Test void rateZeroNeverGrants() {
    TokenBucket b = new TokenBucket(0, 50);
    assertThat(b.tryTake(T0)).isFalse();
    assertThat(b.tryTake(T0 + 3_600_000 * MS)).isFalse();
  }

  @Test void badParametersAreRefused() {
    assertThatThrownBy(() -> new TokenBucket(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(Double.POSITIVE_INFINITY, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(10, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
