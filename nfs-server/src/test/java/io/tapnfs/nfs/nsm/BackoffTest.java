package io.tapnfs.nfs.nsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  static final long S = 1_000_000_000L;

  @Test void delaysDoubleFromTwoSecondsToTheCapOf120() {
    Backoff b = Backoff.SM_NOTIFY;
    List<Long> d = new ArrayList<>();
    for (int f = 1; f <= 9; f++) d.add(b.delayNanos(f) / S);
    assertThat(d).containsExactly(2L, 4L, 8L, 16L, 32L, 64L, 120L, 120L, 120L);
    assertThat(b.delayNanos(0)).isZero();
    assertThat(b.delayNanos(1000)).isEqualTo(120 * S);                     // no overflow however many
  }

  /** sm-notify's schedule: attempts at 0, 2, 6, 14 ... s, none later than 15 minutes after the first. */
  @Test void attemptsFollowTheScheduleAndStopAfterFifteenMinutes() {
    Backoff b = Backoff.SM_NOTIFY;
    List<Long> at = new ArrayList<>(List.of(0L));
    long now = 0;
    for (int failures = 1; ; failures++) {
      long next = b.nextAttempt(0, now, failures);
      if (next == Long.MIN_VALUE) break;
      at.add(next / S);
      now = next;
    }
    assertThat(at).containsExactly(0L, 2L, 6L, 14L, 30L, 62L, 126L, 246L, 366L, 486L, 606L, 726L, 846L);
  }

  @Test void nothingAfterTheFirstWhenGivingUpAtOnce() {
    assertThat(Backoff.SM_NOTIFY.giveUpAfter(Duration.ZERO).nextAttempt(0, 0, 1)).isEqualTo(Long.MIN_VALUE);
  }

  @Test void aScheduleMustGoForward() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
  }
}
