package io.tapnfs.nfs.nsm;

import io.tapnfs.netstack.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A scheduler on a manual clock: tasks wait in a queue by due time; {@link #runNext} moves the
 * clock to the earliest and runs it on the test's thread. Records when each task ran.
 */
final class ManualScheduler implements NsmNotifier.Scheduler {
  private record Task(long due, long seq, Runnable run) {}

  final ManualClock clock;
  private final long origin;
  private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long seq;
  boolean closed;
  /** When each task ran, relative to the clock at construction. */
  final List<Duration> ran = new ArrayList<>();

  ManualScheduler(ManualClock clock) {
    this.clock = clock;
    this.origin = clock.nanos();
  }

  @Override public synchronized void schedule(Runnable task, long delayNanos) {
    if (!closed) queue.add(new Task(clock.nanos() + delayNanos, seq++, task));
  }

  @Override public synchronized void close() {
    closed = true;
    queue.clear();
  }

  int queued() { return queue.size(); }

  /** Runs the earliest task, the clock moved to its time first. @return false when none was queued */
  boolean runNext() {
    Task t;
    synchronized (this) {
      t = queue.poll();
      if (t == null) return false;
      long now = clock.nanos();
      if (t.due > now) clock.advance(Duration.ofNanos(t.due - now));
      ran.add(Duration.ofNanos(clock.nanos() - origin));
    }
    t.run.run();
    return true;
  }

  /** Runs tasks until none is queued (at most {@code limit}). */
  int runAll(int limit) {
    int n = 0;
    while (n < limit && runNext()) n++;
    return n;
  }
}
