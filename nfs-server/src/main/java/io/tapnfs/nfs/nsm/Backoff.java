package io.tapnfs.nfs.nsm;

import java.time.Duration;

/**
 * When the notifier tries a client again: {@code first} after the first failure, doubling, at most
 * {@code max} apart, and no attempt later than {@code giveUpAfter} after the first one. The
 * defaults are sm-notify's (nfs-utils {@code utils/statd/sm-notify.c}: NSM_TIMEOUT 2 s doubling to
 * NSM_MAX_TIMEOUT 120 s, for {@code -m} 15 minutes).
 */
public record Backoff(Duration first, Duration max, Duration giveUpAfter) {
  public static final Backoff SM_NOTIFY = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(120), Duration.ofMinutes(15));

  public Backoff {
    if (first.isNegative() || first.isZero() || max.compareTo(first) < 0 || giveUpAfter.isNegative())
      throw new IllegalArgumentException("backoff " + first + ".." + max + " for " + giveUpAfter);
  }

  /** The same schedule for {@code d} in all. */
  public Backoff giveUpAfter(Duration d) { return new Backoff(first, max, d); }

  /** The wait after the {@code failures}-th failed attempt (1 = the first), in nanoseconds. */
  public long delayNanos(int failures) {
    if (failures < 1) return 0;
    long d = first.toNanos();
    for (int i = 1; i < failures && d < max.toNanos(); i++) d <<= 1;
    return Math.min(d, max.toNanos());
  }

  /**
   * When to try again after the {@code failures}-th failure at {@code now}, for a client first tried
   * at {@code firstAttempt}; or {@code Long.MIN_VALUE}: give up (the attempt would be past
   * {@link #giveUpAfter}).
   */
  public long nextAttempt(long firstAttempt, long now, int failures) {
    long at = now + delayNanos(failures);
    return at - firstAttempt > giveUpAfter.toNanos() ? Long.MIN_VALUE : at;
  }
}
