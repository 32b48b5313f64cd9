package io.tapnfs.nfs.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapnfs.netstack.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The grace period NLM (and NFSv4) consult, on a manual clock. */
class GraceTest {
  @Test void activeUntilItsTimeIsUpOrItIsEnded() {
    ManualClock clock = new ManualClock();
    Grace g = new Grace(clock.nanos(), Duration.ofSeconds(90));
    assertThat(g.active(clock.nanos())).isTrue();
    assertThat(g.active(clock.advance(Duration.ofSeconds(89)))).isTrue();
    assertThat(g.active(clock.advance(Duration.ofSeconds(1)))).isFalse();
    Grace early = new Grace(clock.nanos(), Duration.ofSeconds(90));
    early.end();                                   // every client recorded before the restart has reclaimed
    assertThat(early.active(clock.nanos())).isFalse();
  }

  @Test void noneIsNeverActive() {
    assertThat(Grace.none().active(0)).isFalse();
    assertThat(Grace.none().active(Long.MIN_VALUE)).isFalse();
    assertThatThrownBy(() -> new Grace(0, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
  }
}
