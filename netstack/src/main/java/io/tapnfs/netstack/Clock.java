package io.tapnfs.netstack;

/**
 * The stack's monotonic clock. Protocol code never reads time itself: the event loop reads this
 * clock once per turn and passes {@code now} (nanoseconds) down. Tests inject {@link ManualClock}.
 */
@FunctionalInterface
public interface Clock {
  /** Monotonic nanoseconds; only differences are meaningful. */
  long nanos();

  Clock SYSTEM = System::nanoTime;
}
