package io.tapnfs.nfs.nsm;

import io.tapnfs.netstack.Clock;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the clients that held locks before this start that we restarted, as sm-notify does at
 * boot: SM_NOTIFY(our name, our new state) to each one's statd ({@link StatdCaller}), so that its
 * lockd reclaims its locks during the grace period. A client answered is done ({@link
 * NsmStore#notified}); one that fails is tried again after {@link Backoff#delayNanos} (2 s, 4 s,
 * ... 120 s by default) until {@link Backoff#giveUpAfter} (15 minutes), then given up on, its
 * record left for the next start. Counted: notifySent, notifyFailed (attempts), notifyGaveUp.
 *
 * <p>Concurrency: attempts run on the {@link Scheduler}'s threads, never on the stack's event loop
 * (an attempt blocks for its RPC calls). One client's attempts follow one another (each schedules
 * the next), so its {@link Pending} is touched by one thread at a time; different clients run in
 * parallel, as many as the scheduler has threads.
 */
public final class NsmNotifier implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(NsmNotifier.class);

  /** One attempt to deliver a notification: find {@code client}'s statd and call its SM_NOTIFY. */
  @FunctionalInterface
  public interface StatdCaller {
    /** Returns when the client's statd answered; throws when it could not be reached or refused. */
    void notify(Inet4Address client, NsmXdr.StatChge change) throws IOException, TimeoutException;
  }

  /** Runs tasks after a delay, off the caller's thread. */
  public interface Scheduler extends AutoCloseable {
    void schedule(Runnable task, long delayNanos);

    /** Runs nothing more. */
    @Override void close();

    /** {@code threads} daemon threads named {@code name-N}. */
    static Scheduler threads(int threads, String name) {
      AtomicInteger n = new AtomicInteger();
      ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(threads, r -> {
        Thread t = new Thread(r, name + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      e.setRemoveOnCancelPolicy(true);
      return new Scheduler() {
        @Override public void schedule(Runnable task, long delayNanos) {
          if (!e.isShutdown()) e.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override public void close() { e.shutdownNow(); }
      };
    }
  }

  /** A client still to be told: its record, when it was first tried, how many attempts failed. */
  static final class Pending {
    final NsmStore.Retired retired;
    long firstAttempt;
    int failures;

    Pending(NsmStore.Retired retired) { this.retired = retired; }
  }

  private final Nsm nsm;
  private final StatdCaller caller;
  private final Backoff backoff;
  private final Scheduler scheduler;
  private final Clock clock;
  private final NsmXdr.StatChge change;
  private final Set<Pending> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  NsmNotifier(Nsm nsm, StatdCaller caller, Backoff backoff, Scheduler scheduler, Clock clock) {
    this.nsm = Objects.requireNonNull(nsm, "nsm");
    this.caller = Objects.requireNonNull(caller, "caller");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.change = new NsmXdr.StatChge(nsm.name(), nsm.state());
  }

  /** Schedules a first attempt for every client still to be told, at once. */
  void start() {
    for (NsmStore.Retired r : nsm.store().toNotify()) {
      Pending p = new Pending(r);
      pending.add(p);
      scheduler.schedule(() -> attempt(p), 0);
    }
    if (!pending.isEmpty()) LOG.info("NSM: telling {} client(s) of our restart, state {}, as {}", pending.size(), change.state(), change.monName());
  }

  /** Clients not yet told and not given up on. */
  public int pending() { return pending.size(); }

  private void attempt(Pending p) {
    if (closed) return;
    long start = clock.nanos();
    if (p.failures == 0) p.firstAttempt = start;
    MonitorRecord client = p.retired.client();
    try {
      caller.notify(client.address(), change);
    } catch (IOException | TimeoutException | RuntimeException e) {
      if (closed) return;
      nsm.count(NsmStat.NOTIFY_FAILED);
      p.failures++;
      if (e instanceof RuntimeException) LOG.warn("NSM: SM_NOTIFY to {} failed", client, e);
      long now = clock.nanos();
      long next = backoff.nextAttempt(p.firstAttempt, now, p.failures);
      if (next == Long.MIN_VALUE) {
        pending.remove(p);
        nsm.count(NsmStat.NOTIFY_GAVE_UP);
        LOG.warn("NSM: could not tell {} of our restart within {} ({} attempts; last: {}): giving up, its record stays for the next start",
            client, backoff.giveUpAfter(), p.failures, e.toString());
        return;
      }
      LOG.debug("NSM: SM_NOTIFY to {} failed ({}), again in {} ms", client, e.toString(), (next - now) / 1_000_000);
      scheduler.schedule(() -> attempt(p), next - now);
      return;
    }
    pending.remove(p);
    nsm.count(NsmStat.NOTIFY_SENT);
    LOG.info("NSM: told {} of our restart (state {})", client, change.state());
    try {
      nsm.store().notified(p.retired);
    } catch (IOException e) {
      LOG.warn("NSM: {} was told, but its record could not be removed (it will be told again after the next start): {}", client, e.toString());
    }
  }

  @Override public void close() {
    closed = true;
    scheduler.close();
  }
}
