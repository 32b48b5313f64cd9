package io.tapnfs.netstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9293 §3.4 / RFC 1982 §3.2 serial-number arithmetic on 32 bits. */
class SeqNumberTest {
  static final long TWO_31 = 1L << 31, TWO_32 = 1L << 32;

  @Test void ofTakesTheLow32BitsAndPrintsUnsigned() {
    assertThat(SeqNumber.of(0xffffffffL)).isEqualTo(new SeqNumber(-1));
    assertThat(SeqNumber.of(TWO_32)).isEqualTo(SeqNumber.ZERO);
    assertThat(SeqNumber.of(TWO_32 + 5)).isEqualTo(SeqNumber.of(5));
    assertThat(SeqNumber.of(-1)).isEqualTo(SeqNumber.of(0xffffffffL));
    assertThat(SeqNumber.of(0xffffffffL).toUnsigned()).isEqualTo(4294967295L);
    assertThat(SeqNumber.of(0xffffffffL)).hasToString("4294967295");
    assertThat(SeqNumber.of(TWO_31)).hasToString("2147483648");
    assertThat(SeqNumber.ZERO).hasToString("0");
  }

  @Test void plusWrapsAt2To32() {
    assertThat(SeqNumber.of(0xffffffffL).plus(1)).isEqualTo(SeqNumber.ZERO);
    assertThat(SeqNumber.of(0xfffffff0L).plus(0x20)).isEqualTo(SeqNumber.of(0x10));
    assertThat(SeqNumber.ZERO.plus(-1)).isEqualTo(SeqNumber.of(0xffffffffL));
    assertThat(SeqNumber.of(TWO_31 - 1).plus(1)).isEqualTo(SeqNumber.of(TWO_31));
  }

  @Test void minusIsTheSignedDistance() {
    assertThat(SeqNumber.of(5).minus(SeqNumber.of(0xfffffffbL))).isEqualTo(10);
    assertThat(SeqNumber.of(0xfffffffbL).minus(SeqNumber.of(5))).isEqualTo(-10);
    assertThat(SeqNumber.of(TWO_31 + 3).minus(SeqNumber.of(TWO_31 - 3))).isEqualTo(6);
    assertThat(SeqNumber.of(1000).minus(SeqNumber.of(1000))).isZero();
  }

  /** a, b, a < b. Cases straddle 0 (the 2^32 wrap) and 2^31 (the sign bit of the raw int). */
  @ParameterizedTest(name = "{0} < {1} is {2}")
  @CsvSource({
      "0,          1,          true",
      "1,          0,          false",
      "4294967295, 0,          true",   // -1 < 0 across the wrap
      "0,          4294967295, false",
      "4294967290, 10,         true",
      "10,         4294967290, false",
      "2147483647, 2147483648, true",   // across 2^31: raw int goes MAX_VALUE -> MIN_VALUE
      "2147483648, 2147483647, false",
      "2147483648, 2147483649, true",
      "0,          2147483647, true",   // 2^31 - 1 ahead is still ahead
      "2147483647, 0,          false",
      "7,          7,          false",
  })
  void serialComparison(long a, long b, boolean less) {
    SeqNumber x = SeqNumber.of(a), y = SeqNumber.of(b);
    assertThat(x.lessThan(y)).isEqualTo(less);
    assertThat(y.greaterThan(x)).isEqualTo(less);
    boolean equal = a == b;
    assertThat(x.lessOrEqual(y)).isEqualTo(less || equal);
    assertThat(x.greaterOrEqual(y)).isEqualTo(!less);
    assertThat(x.greaterThan(y)).isEqualTo(!less && !equal);
  }

  @Test void exactlyHalfTheSpaceApartIsAmbiguous() {
    // RFC 1982 §3.2 leaves this undefined; (int) (a - b) < 0 makes each "less" than the other.
    SeqNumber a = SeqNumber.ZERO, b = SeqNumber.of(TWO_31);
    assertThat(a.lessThan(b)).isTrue();
    assertThat(b.lessThan(a)).isTrue();
  }

  @Test void maxAndMinAcrossTheWrap() {
    SeqNumber before = SeqNumber.of(0xfffffff0L), after = SeqNumber.of(0x10);
    assertThat(SeqNumber.max(before, after)).isEqualTo(after);
    assertThat(SeqNumber.max(after, before)).isEqualTo(after);
    assertThat(SeqNumber.min(before, after)).isEqualTo(before);
    assertThat(SeqNumber.min(after, before)).isEqualTo(before);
    assertThat(SeqNumber.max(after, after)).isEqualTo(after);
  }

  /** x, start, size, start <= x < start + size. */
  @ParameterizedTest(name = "{0} in [{1}, +{2}) is {3}")
  @CsvSource({
      "100,        100,        10,  true",
      "109,        100,        10,  true",
      "110,        100,        10,  false",
      "99,         100,        10,  false",
      "100,        100,        0,   false",   // an empty window holds nothing
      "4294967295, 4294967290, 10,  true",
      "0,          4294967290, 10,  true",    // wraps past 2^32
      "3,          4294967290, 10,  true",
      "4,          4294967290, 10,  false",
      "4294967289, 4294967290, 10,  false",
      "2147483648, 2147483640, 16,  true",    // straddles 2^31
      "2147483656, 2147483640, 16,  false",
      "2147483639, 2147483640, 16,  false",
  })
  void inWindow(long x, long start, int size, boolean in) {
    assertThat(SeqNumber.of(x).inWindow(SeqNumber.of(start), size)).isEqualTo(in);
  }

  @Test void hugeWindowsAreWrapSafeToo() {
    SeqNumber start = SeqNumber.of(0xc0000000L);
    int size = 1 << 30;                                   // RFC 7323 maximum: 2^16 << 14
    assertThat(SeqNumber.of(0xffffffffL).inWindow(start, size)).isTrue();
    assertThat(SeqNumber.ZERO.inWindow(start, size)).isFalse();
    assertThat(SeqNumber.of(0xbfffffffL).inWindow(start, size)).isFalse();
    assertThat(SeqNumber.of(TWO_31).inWindow(SeqNumber.ZERO, Integer.MAX_VALUE)).isFalse();
    assertThat(SeqNumber.of(TWO_31 - 1).inWindow(SeqNumber.ZERO, Integer.MAX_VALUE)).isFalse();
    assertThat(SeqNumber.of(TWO_31 - 2).inWindow(SeqNumber.ZERO, Integer.MAX_VALUE)).isTrue();
    assertThatThrownBy(() -> start.inWindow(start, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
