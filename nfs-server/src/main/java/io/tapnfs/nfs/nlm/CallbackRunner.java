package io.tapnfs.nfs.nlm;

import io.tapnfs.netstack.Clock;
import io.tapnfs.nfs.lock.LockManager.Lock;
import io.tapnfs.nfs.nlm.xdr.NlmRes;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the calls {@link Callbacks} asks for, off the RPC server's threads: a small scheduled pool
 * ({@code callbackThreads}) runs each try when it is due, blocking up to the call timeout, and
 * feeds the answer back. Releases the lock of a GRANTED that could not be delivered.
 *
 * <p>The pool's queue holds at most one task per pending callback (a stale one, left by a
 * reschedule, finds its generation gone and returns) plus the periodic sweep, so it is bounded by
 * {@code maxCallbacks}.
 */
final class CallbackRunner implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(CallbackRunner.class);

  private final Callbacks callbacks;
  private final CallbackClient client;
  private final Clock clock;
  private final Consumer<Lock> release;
  private final ScheduledThreadPoolExecutor pool;

  CallbackRunner(Callbacks callbacks, CallbackClient client, Clock clock, int threads, Consumer<Lock> release) {
    this.callbacks = callbacks;
    this.client = client;
    this.clock = clock;
    this.release = release;
    AtomicInteger n = new AtomicInteger();
    this.pool = new ScheduledThreadPoolExecutor(threads, r -> {
      Thread t = new Thread(r, "tapnfs-nlm-callback-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pool.setRemoveOnCancelPolicy(true);
  }

  /** Does what {@code o} says: schedules a try, or releases a lock. */
  void handle(Callbacks.Outcome o) {
    if (o instanceof Callbacks.Outcome.Retry r) {
      long delay = Math.max(0, r.at() - clock.nanos());
      submit(() -> run(r.id(), r.generation()), delay);
    } else if (o instanceof Callbacks.Outcome.Release rel) {
      release.accept(rel.lock());
    }
  }

  /** Runs {@code task} on the pool soon. */
  void execute(Runnable task) { submit(task, 0); }

  /** Runs {@code task} every {@code period} until closed. */
  void every(Duration period, Runnable task) {
    try {
      pool.scheduleWithFixedDelay(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.error("NLM sweep failed", e);
        }
      }, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("NLM callbacks closed");
    }
  }

  private void submit(Runnable task, long delayNanos) {
    try {
      pool.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("NLM callbacks closed; dropped a task");
    }
  }

  private void run(long id, long generation) {
    Callbacks.Attempt a = callbacks.begin(id, generation, clock.nanos());
    if (a == null) return;                         // dropped, or a stale wake-up
    Callbacks.Outcome o;
    try {
      if (a.kind() == Callbacks.Kind.GRANTED) {
        NlmRes r = client.call(a.target(), a.procedure(), a.args());
        o = callbacks.replied(id, r.stat(), clock.nanos());
      } else {
        client.send(a.target(), a.procedure(), a.args());
        o = callbacks.sent(id, clock.nanos());
      }
    } catch (IOException | TimeoutException e) {
      LOG.debug("{} to {} (try {}): {}", a.procedure(), a.target().address().getHostAddress(), a.attempt(), e.toString());
      o = callbacks.failed(id, clock.nanos());
    } catch (RuntimeException e) {
      LOG.warn("{} to {} failed", a.procedure(), a.target().address().getHostAddress(), e);
      o = callbacks.failed(id, clock.nanos());
    }
    try {
      handle(o);
    } catch (RuntimeException e) {
      LOG.error("NLM callback outcome {} failed", o, e);
    }
  }

  @Override public void close() { pool.shutdownNow(); }
}
