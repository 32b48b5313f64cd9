package io.tapnfs.netstack.socket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * "Readiness may have changed" for one channel: the single watcher the channel puts on its
 * connection, listener or UDP socket, also run by the channel itself on connect, shutdown and
 * close. It wakes the channel's blocked application threads and pokes every selector the channel
 * is registered with.
 *
 * <p>Watchers run with the connection's (listener's, socket's) lock held, so {@link #run} takes no
 * lock and never blocks: it bumps a generation counter, unparks the waiting threads and runs the
 * selectors' pokes, which do the same.
 *
 * <p>Waiting without losing a wake-up: read {@link #generation}, try the operation, and if it would
 * block call {@link #await} with that generation; a change between the try and the wait has moved
 * the generation, so {@code await} returns at once.
 */
final class NioSignal implements Runnable {
  private final AtomicLong generation = new AtomicLong();
  private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
  private final CopyOnWriteArrayList<Runnable> selectors = new CopyOnWriteArrayList<>();

  @Override public void run() {
    generation.incrementAndGet();
    for (Thread t : waiting) LockSupport.unpark(t);
    for (Runnable p : selectors) p.run();
  }

  long generation() { return generation.get(); }

  /**
   * Parks until the generation moves past {@code seen}, the deadline passes or the thread is
   * interrupted (its status stays set; the channel's interruptor closes the channel).
   * @param deadline on {@link System#nanoTime}; {@link Long#MAX_VALUE} for none
   * @return false only when the deadline passed first
   */
  boolean await(long seen, long deadline) {
    Thread me = Thread.currentThread();
    waiting.add(me);
    try {
      while (generation.get() == seen) {
        if (me.isInterrupted()) return true;
        if (deadline == Long.MAX_VALUE) {
          LockSupport.park(this);
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) return false;
          LockSupport.parkNanos(this, left);
        }
      }
      return true;
    } finally {
      waiting.remove(me);
    }
  }

  /** A selector's poke, added when the channel is registered with it and removed on deregistration. */
  void addSelector(Runnable poke) { selectors.addIfAbsent(poke); }

  void removeSelector(Runnable poke) { selectors.remove(poke); }

  /** A deadline {@code timeoutNanos} from now; zero or less means none. */
  static long deadline(long timeoutNanos) {
    if (timeoutNanos <= 0) return Long.MAX_VALUE;
    long now = System.nanoTime();
    // Saturate: a timeout too long to represent waits for ever.
    return timeoutNanos > Long.MAX_VALUE - Math.max(now, 0) - 1 ? Long.MAX_VALUE : now + timeoutNanos;
  }
}
