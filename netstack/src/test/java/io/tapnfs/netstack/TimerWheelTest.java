package io.tapnfs.netstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
  static final long MS = 1_000_000L;

  @Test void firesAtDeadlineNotBefore() {
    TimerWheel w = new TimerWheel(0);
    List<Long> fired = new ArrayList<>();
    TimerWheel.Timer t = w.newTimer(fired::add);
    t.arm(5 * MS);
    assertThat(w.nextDeadline()).isEqualTo(5 * MS);
    assertThat(w.advance(4 * MS)).isZero();
    assertThat(w.advance(5 * MS)).isEqualTo(1);
    assertThat(fired).containsExactly(5 * MS);
    assertThat(t.isArmed()).isFalse();
    assertThat(w.nextDeadline()).isEqualTo(Long.MAX_VALUE);
  }

  @Test void rearmMovesTheDeadlineAndTheOldOneNeverFires() {
    TimerWheel w = new TimerWheel(0);
    List<Long> fired = new ArrayList<>();
    TimerWheel.Timer t = w.newTimer(fired::add);
    t.arm(5 * MS);
    t.arm(50 * MS);
    w.advance(10 * MS);
    assertThat(fired).isEmpty();
    w.advance(50 * MS);
    assertThat(fired).containsExactly(50 * MS);
  }

  @Test void cancelledTimerDoesNotFire() {
    TimerWheel w = new TimerWheel(0);
    List<Long> fired = new ArrayList<>();
    TimerWheel.Timer t = w.newTimer(fired::add);
    t.arm(5 * MS);
    t.cancel();
    w.advance(100 * MS);
    assertThat(fired).isEmpty();
    assertThat(w.armedCount()).isZero();
  }

  @Test void deadlinesBeyondOneTurnOfTheWheelWaitForTheirRound() {
    TimerWheel w = new TimerWheel(0, MS, 16);   // 16 ms per turn
    List<Long> fired = new ArrayList<>();
    w.newTimer(fired::add).arm(100 * MS);
    for (long t = 1; t < 100; t++) w.advance(t * MS);
    assertThat(fired).isEmpty();
    w.advance(100 * MS);
    assertThat(fired).hasSize(1);
  }

  @Test void deadlineInThePastFiresOnNextAdvance() {
    TimerWheel w = new TimerWheel(10 * MS);
    List<Long> fired = new ArrayList<>();
    w.newTimer(fired::add).arm(3 * MS);
    w.advance(10 * MS);
    assertThat(fired).hasSize(1);
  }

  @Test void aTimerMayRearmItselfFromItsAction() {
    TimerWheel w = new TimerWheel(0);
    List<Long> fired = new ArrayList<>();
    TimerWheel.Timer[] t = new TimerWheel.Timer[1];
    t[0] = w.newTimer(now -> { fired.add(now); if (fired.size() < 3) t[0].arm(now + 10 * MS); });
    t[0].arm(10 * MS);
    for (long ms = 1; ms <= 100; ms++) w.advance(ms * MS);
    assertThat(fired).containsExactly(10 * MS, 20 * MS, 30 * MS);
  }

  @Test void randomScheduleFiresEveryTimerExactlyOnceAndInTime() {
    SplittableRandom rnd = new SplittableRandom(42);
    TimerWheel w = new TimerWheel(0, MS, 64);
    int n = 2000;
    long[] deadline = new long[n];
    long[] firedAt = new long[n];
    for (int i = 0; i < n; i++) {
      int k = i;
      deadline[i] = rnd.nextLong(1, 5000) * MS / 3;
      w.newTimer(now -> firedAt[k] = firedAt[k] == 0 ? now : -1).arm(deadline[i]);
    }
    long now = 0;
    while (w.armedCount() > 0) {
      now += rnd.nextLong(1, 7 * MS);
      w.advance(now);
    }
    for (int i = 0; i < n; i++) {
      assertThat(firedAt[i]).as("timer %d", i).isGreaterThanOrEqualTo(deadline[i]);
      assertThat(firedAt[i] - deadline[i]).isLessThan(7 * MS);
    }
  }
}
