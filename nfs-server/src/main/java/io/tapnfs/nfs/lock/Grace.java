package io.tapnfs.nfs.lock;

import java.time.Duration;

/**
 * The grace period after a server start, one for NLM and NFSv4 together (RFC 7530 §9.6.2; the
 * XNFS NLM's DENIED_GRACE_PERIOD): while it lasts, only reclaims of locks (and v4 opens) held
 * before the restart are granted; it ends when its time is up or when every client recorded before
 * the restart has said it is done reclaiming ({@link #end}). Time is a parameter (nanoseconds of
 * the caller's monotonic clock). Thread-safe.
 */
public final class Grace {
  private final long endsAt;
  private volatile boolean ended;

  /** A grace period of {@code length} from {@code startNanos}; {@link Duration#ZERO} for none (a first start). */
  public Grace(long startNanos, Duration length) {
    if (length.isNegative()) throw new IllegalArgumentException("grace " + length);
    this.endsAt = startNanos + length.toNanos();
    this.ended = length.isZero();
  }

  /** No grace period: nothing to reclaim. */
  public static Grace none() { return new Grace(0, Duration.ZERO); }

  public boolean active(long nowNanos) { return !ended && nowNanos - endsAt < 0; }

  /** Ends the grace period early: every recorded client has reclaimed. */
  public void end() { ended = true; }
}
