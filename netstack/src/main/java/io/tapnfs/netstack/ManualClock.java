package io.tapnfs.netstack;

import java.time.Duration;

/** A clock that moves only when told to. Thread-safe. */
public final class ManualClock implements Clock {
  private volatile long now;

  public ManualClock() { this(1_000_000_000L); }

  public ManualClock(long startNanos) { this.now = startNanos; }

  @Override public long nanos() { return now; }

  public synchronized long advance(Duration d) { now += d.toNanos(); return now; }

  public synchronized long advanceMillis(long ms) { now += ms * 1_000_000L; return now; }
}
