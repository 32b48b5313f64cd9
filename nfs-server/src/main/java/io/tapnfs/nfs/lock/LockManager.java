package io.tapnfs.nfs.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The server's byte-range locks, for NLM and NFSv4 alike: protocol-independent owners
 * ({@link LockOwner}), unsigned 64-bit ranges ({@link LockRange}), shared and exclusive
 * ({@link LockType}), and the queue of requests waiting for a range to come free.
 *
 * <p>Semantics are POSIX fcntl(2)'s, per owner rather than per process:
 * <ul>
 * <li>Two locks conflict when their owners differ, their ranges overlap and one is WRITE. An
 *     owner never conflicts with itself.
 * <li>A lock replaces whatever the same owner holds in its range: that is an upgrade (READ to
 *     WRITE), a downgrade (WRITE to READ) or a split of an older lock around it. Ranges of one
 *     owner and one type that touch or overlap are merged into one. An unlock removes the owner's
 *     locks from its range and splits those that straddle it.
 * <li>A request that conflicts is denied, or, when the caller may wait, queued ({@link
 *     Result.Blocked}). Waiters are kept first come, first served per file: when locks go away
 *     ({@link #unlock}, a downgrade, {@link #cancel}, a release, an expiry) the queue is walked in
 *     order and a waiter is granted when no held lock conflicts with its whole range and no
 *     earlier waiter still waiting conflicts with it (a later waiter never overtakes an earlier
 *     one it conflicts with). A new request is not a waiter: it is granted when no held lock
 *     conflicts, as fcntl does, whatever waits.
 * <li>The same request again from an owner already waiting for it renews the waiter (its expiry
 *     and its listener) instead of queueing a second one: NLM clients poll with LOCK while they wait.
 * <li>Granted waiters are returned to the caller as {@link Grant}s, which carry the
 *     {@link GrantListener} the request was queued with (NLM: calls GRANTED back). The caller
 *     hands them to {@link #notify} once the method returned; a listener that cannot deliver its
 *     grant unlocks the range again.
 * <li>Waiters not renewed within {@link Limits#maxWait} are dropped by {@link #expire}.
 * </ul>
 *
 * <p>Bounded: locks (ranges held) per client and in total, waiters per client and in total
 * ({@link Limits}); a request past a bound is {@link Result.Refused} and counted. An unlock is
 * never refused, although splitting a range can take a client one lock past its bound (fcntl may
 * fail such an unlock with ENOLCK; a client that cannot unlock is worse).
 *
 * <p>No I/O and no clock: time comes in as {@code now} (monotonic nanoseconds). Concurrency: every
 * public method holds this object's monitor for its whole run and calls nothing outside the
 * class, so callers may call from any thread; the grants a method returns are the caller's to
 * deliver after it returns.
 */
public final class LockManager {
  /** A held lock, or what a waiter asks for. */
  public record Lock(FileKey file, LockOwner owner, LockRange range, LockType type) {
    public Lock {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(range, "range");
      Objects.requireNonNull(type, "type");
    }

    /** Whether this lock keeps {@code owner} from locking {@code range} as {@code type}. */
    public boolean conflictsWith(LockOwner owner, LockRange range, LockType type) {
      return !this.owner.equals(owner) && this.range.overlaps(range) && this.type.conflictsWith(type);
    }
  }

  /** A waiter that now holds its lock, and the listener it was queued with (may be null). */
  public record Grant(long waiter, Lock lock, GrantListener listener) {}

  /** What {@link #lock} did. */
  public sealed interface Result {
    /** The lock is held; {@code woken} are waiters granted as a consequence (a downgrade lets readers in). */
    record Granted(List<Grant> woken) implements Result {}

    /** Not granted and not queued: {@code conflict} is one lock in the way. */
    record Denied(Lock conflict) implements Result {}

    /** Queued as waiter {@code waiter}; {@code renewed} when it was already waiting for the same range and type. */
    record Blocked(long waiter, boolean renewed) implements Result {}

    /** Refused at a bound; nothing changed. */
    record Refused(Limit limit) implements Result {}
  }

  /** What {@link #cancel} did: whether the waiter was there, and the waiters granted now that it is gone. */
  public record Cancelled(boolean found, List<Grant> woken) {}

  /** The bounds a request can hit. */
  public enum Limit { CLIENT_LOCKS, LOCKS, CLIENT_WAITERS, WAITERS }

  /**
   * @param locksPerClient   ranges held by one client (all its owners, all files)
   * @param locks            ranges held in total
   * @param waitersPerClient requests of one client waiting
   * @param waiters          requests waiting in total
   * @param maxWait          how long a waiter is kept without being renewed
   */
  public record Limits(int locksPerClient, int locks, int waitersPerClient, int waiters, Duration maxWait) {
    public static final int DEFAULT_LOCKS_PER_CLIENT = 4096, DEFAULT_LOCKS = 65536, DEFAULT_WAITERS_PER_CLIENT = 256,
        DEFAULT_WAITERS = 4096;
    /** Ten minutes: a Linux client polls every 30 s while it waits, so only a vanished client gets that old. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(10);

    public Limits {
      if (locksPerClient < 1 || locks < locksPerClient || waitersPerClient < 0 || waiters < waitersPerClient
          || maxWait.isNegative() || maxWait.isZero()) {
        throw new IllegalArgumentException("lock limits " + locksPerClient + "/" + locks + ", waiters " + waitersPerClient + "/" + waiters
            + ", max wait " + maxWait);
      }
    }

    public static Limits defaults() {
      return new Limits(DEFAULT_LOCKS_PER_CLIENT, DEFAULT_LOCKS, DEFAULT_WAITERS_PER_CLIENT, DEFAULT_WAITERS, DEFAULT_MAX_WAIT);
    }
  }

  private static final class Waiter {
    final long id;
    final Lock want;
    GrantListener listener;
    long expiresAt;

    Waiter(long id, Lock want, GrantListener listener, long expiresAt) {
      this.id = id;
      this.want = want;
      this.listener = listener;
      this.expiresAt = expiresAt;
    }

    boolean is(LockOwner o, LockRange r, LockType t) { return want.owner().equals(o) && want.range().equals(r) && want.type() == t; }
  }

  /** One file's locks (every owner's, no two of one owner overlapping) and its waiters, oldest first. */
  private static final class FileState {
    final List<Lock> held = new ArrayList<>(4);
    final List<Waiter> waiters = new ArrayList<>(0);

    boolean empty() { return held.isEmpty() && waiters.isEmpty(); }
  }

  private static final Comparator<Lock> BY_OFFSET = (a, b) -> Long.compareUnsigned(a.range().offset(), b.range().offset());

  private final Limits limits;
  private final Map<FileKey, FileState> files = new HashMap<>();
  /** Per client: [0] ranges held, [1] requests waiting. No entry when both are 0. */
  private final Map<String, int[]> clients = new HashMap<>();
  private final long[] counters = new long[LockStat.values().length];
  private int lockCount, waiterCount;
  private long nextWaiter = 1;

  public LockManager(Limits limits) { this.limits = Objects.requireNonNull(limits, "limits"); }

  public Limits limits() { return limits; }

  /** A lock another owner holds that keeps {@code owner} from locking {@code range} as {@code type}, or null. */
  public synchronized Lock test(FileKey file, LockOwner owner, LockRange range, LockType type) {
    counters[LockStat.TESTS.ordinal()]++;
    Lock c = conflict(files.get(file), owner, range, type);
    if (c != null) counters[LockStat.TEST_CONFLICTS.ordinal()]++;
    return c;
  }

  /** {@link #lock(FileKey, LockOwner, LockRange, LockType, boolean, GrantListener, long)} without a listener. */
  public Result lock(FileKey file, LockOwner owner, LockRange range, LockType type, boolean wait, long now) {
    return lock(file, owner, range, type, wait, null, now);
  }

  /**
   * Locks {@code range} of {@code file} for {@code owner}, or, if another owner's lock is in the
   * way and {@code wait}, queues the request (or renews the same one already queued, with this
   * {@code listener} and a new expiry {@link Limits#maxWait} from {@code now}).
   *
   * @param listener handed back in the {@link Grant} when the waiter is granted; may be null
   */
  public synchronized Result lock(FileKey file, LockOwner owner, LockRange range, LockType type, boolean wait, GrantListener listener,
                                  long now) {
    FileState f = files.get(file);
    Lock c = conflict(f, owner, range, type);
    if (c != null) {
      if (!wait) return count(LockStat.LOCKS_DENIED, new Result.Denied(c));
      for (Waiter w : f.waiters) {
        if (w.is(owner, range, type)) {
          w.listener = listener;
          w.expiresAt = now + limits.maxWait().toNanos();
          return count(LockStat.WAITERS_RENEWED, new Result.Blocked(w.id, true));
        }
      }
      if (client(owner.client())[1] >= limits.waitersPerClient())
        return count(LockStat.REFUSED_CLIENT_WAITERS, new Result.Refused(Limit.CLIENT_WAITERS));
      if (waiterCount >= limits.waiters()) return count(LockStat.REFUSED_WAITERS, new Result.Refused(Limit.WAITERS));
      Waiter w = new Waiter(nextWaiter++, new Lock(file, owner, range, type), listener, now + limits.maxWait().toNanos());
      f.waiters.add(w);
      adjust(owner.client(), 0, 1);
      return count(LockStat.LOCKS_BLOCKED, new Result.Blocked(w.id, false));
    }
    if (f == null) {
      f = new FileState();
      files.put(file, f);
    }
    Limit over = place(f, file, owner, range, type);
    if (over != null) {
      cleanup(file, f);
      return count(over == Limit.CLIENT_LOCKS ? LockStat.REFUSED_CLIENT_LOCKS : LockStat.REFUSED_LOCKS, new Result.Refused(over));
    }
    // The owner asked again for what it was waiting for and got it: that waiter is satisfied.
    for (Iterator<Waiter> it = f.waiters.iterator(); it.hasNext(); ) {
      if (it.next().is(owner, range, type)) {
        it.remove();
        adjust(owner.client(), 0, -1);
      }
    }
    List<Grant> woken = wake(f);
    cleanup(file, f);
    return count(LockStat.LOCKS_GRANTED, new Result.Granted(woken));
  }

  /**
   * Unlocks {@code range} for {@code owner}: what it holds there goes, locks straddling an end are
   * split. Returns the waiters granted now. Unlocking what is not held is no error (POSIX).
   */
  public synchronized List<Grant> unlock(FileKey file, LockOwner owner, LockRange range) {
    counters[LockStat.UNLOCKS.ordinal()]++;
    FileState f = files.get(file);
    List<Lock> mine = f == null ? List.of() : owned(f, owner);
    boolean any = false;
    for (Lock l : mine) any |= l.range().overlaps(range);
    if (!any) {
      counters[LockStat.UNLOCKS_NOT_HELD.ordinal()]++;
      return List.of();
    }
    replace(f, owner, mine, apply(file, owner, mine, range, null));
    List<Grant> woken = wake(f);
    cleanup(file, f);
    return woken;
  }

  /** Removes the waiter of {@code owner} for exactly {@code range} and {@code type}, if there is one. */
  public synchronized Cancelled cancel(FileKey file, LockOwner owner, LockRange range, LockType type) {
    FileState f = files.get(file);
    if (f == null) return new Cancelled(false, List.of());
    for (Iterator<Waiter> it = f.waiters.iterator(); it.hasNext(); ) {
      if (it.next().is(owner, range, type)) {
        it.remove();
        adjust(owner.client(), 0, -1);
        counters[LockStat.WAITERS_CANCELLED.ordinal()]++;
        List<Grant> woken = wake(f);
        cleanup(file, f);
        return new Cancelled(true, woken);
      }
    }
    return new Cancelled(false, List.of());
  }

  /** Drops every lock and waiter of {@code client} (NLM: the host rebooted or sent FREE_ALL); returns the waiters granted now. */
  public synchronized List<Grant> releaseClient(String client) {
    counters[LockStat.CLIENTS_RELEASED.ordinal()]++;
    return release(o -> o.client().equals(client));
  }

  /** Drops every lock and waiter of {@code owner} (NFSv4 RELEASE_LOCKOWNER); returns the waiters granted now. */
  public synchronized List<Grant> releaseOwner(LockOwner owner) {
    counters[LockStat.OWNERS_RELEASED.ordinal()]++;
    return release(owner::equals);
  }

  /**
   * Tells each grant's listener that its waiter holds the lock. Call it with what {@link #lock},
   * {@link #unlock}, {@link #cancel}, {@link #releaseClient}, {@link #releaseOwner} or
   * {@link #expire} returned, never while holding a monitor the listeners might need.
   */
  public static void notify(List<Grant> grants) {
    for (Grant g : grants) if (g.listener() != null) g.listener().granted(g);
  }

  /** Whether {@code owner} holds any lock on {@code file} (NFSv4 CLOSE answers LOCKS_HELD). */
  public synchronized boolean holds(FileKey file, LockOwner owner) {
    FileState f = files.get(file);
    if (f == null) return false;
    for (Lock l : f.held) if (l.owner().equals(owner)) return true;
    return false;
  }

  /** Whether {@code client} holds any lock or waits for one. */
  public synchronized boolean active(String client) { return clients.containsKey(client); }

  /** The clients that hold a lock or wait for one now. */
  public synchronized Set<String> clients() { return Set.copyOf(clients.keySet()); }

  /** Drops the waiters whose expiry is at or before {@code now}; returns the waiters granted now. */
  public synchronized List<Grant> expire(long now) {
    List<Grant> out = new ArrayList<>();
    for (Iterator<Map.Entry<FileKey, FileState>> it = files.entrySet().iterator(); it.hasNext(); ) {
      FileState f = it.next().getValue();
      boolean any = false;
      for (Iterator<Waiter> w = f.waiters.iterator(); w.hasNext(); ) {
        Waiter x = w.next();
        if (now - x.expiresAt >= 0) {
          w.remove();
          adjust(x.want.owner().client(), 0, -1);
          counters[LockStat.WAITERS_EXPIRED.ordinal()]++;
          any = true;
        }
      }
      if (any) out.addAll(wake(f));
      if (f.empty()) it.remove();
    }
    return out;
  }

  /** The locks held on {@code file}, in no particular order. */
  public synchronized List<Lock> locks(FileKey file) {
    FileState f = files.get(file);
    return f == null ? List.of() : List.copyOf(f.held);
  }

  /** What the waiters on {@code file} ask for, oldest first. */
  public synchronized List<Lock> waiting(FileKey file) {
    FileState f = files.get(file);
    if (f == null) return List.of();
    List<Lock> out = new ArrayList<>(f.waiters.size());
    for (Waiter w : f.waiters) out.add(w.want);
    return out;
  }

  public synchronized long counter(LockStat s) { return counters[s.ordinal()]; }

  /** For {@code tapnfs stat}: "locks", "waiters", "files", "clients" now, then every {@link LockStat}. */
  public synchronized Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("locks", (long) lockCount);
    m.put("waiters", (long) waiterCount);
    m.put("files", (long) files.size());
    m.put("clients", (long) clients.size());
    for (LockStat s : LockStat.values()) m.put(s.key(), counters[s.ordinal()]);
    return m;
  }

  // ------------------------------------------------------------------ internals (monitor held)

  private <R> R count(LockStat s, R r) {
    counters[s.ordinal()]++;
    return r;
  }

  private static Lock conflict(FileState f, LockOwner owner, LockRange range, LockType type) {
    if (f == null) return null;
    for (Lock l : f.held) if (l.conflictsWith(owner, range, type)) return l;
    return null;
  }

  private static List<Lock> owned(FileState f, LockOwner owner) {
    List<Lock> mine = new ArrayList<>(2);
    for (Lock l : f.held) if (l.owner().equals(owner)) mine.add(l);
    return mine;
  }

  /**
   * The owner's locks on a file after locking {@code range} as {@code type} (or unlocking it, when
   * {@code type} is null): what overlaps the range is cut away, the new lock goes in, and
   * neighbours of one type that touch are merged. {@code mine} never overlap one another.
   */
  static List<Lock> apply(FileKey file, LockOwner owner, List<Lock> mine, LockRange range, LockType type) {
    List<Lock> out = new ArrayList<>(mine.size() + 2);
    for (Lock h : mine) {
      LockRange r = h.range();
      if (!r.overlaps(range)) {
        out.add(h);
        continue;
      }
      if (Long.compareUnsigned(r.offset(), range.offset()) < 0)
        out.add(new Lock(file, owner, new LockRange(r.offset(), range.offset() - 1), h.type()));
      if (range.last() != LockRange.TO_EOF && Long.compareUnsigned(r.last(), range.last()) > 0)
        out.add(new Lock(file, owner, new LockRange(range.last() + 1, r.last()), h.type()));
    }
    if (type != null) out.add(new Lock(file, owner, range, type));
    out.sort(BY_OFFSET);
    List<Lock> merged = new ArrayList<>(out.size());
    for (Lock l : out) {
      Lock prev = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (prev != null && prev.type() == l.type() && prev.range().touches(l.range())) {
        long last = Long.compareUnsigned(prev.range().last(), l.range().last()) >= 0 ? prev.range().last() : l.range().last();
        merged.set(merged.size() - 1, new Lock(file, owner, new LockRange(prev.range().offset(), last), l.type()));
      } else {
        merged.add(l);
      }
    }
    return merged;
  }

  /** Locks {@code range} for {@code owner} in {@code f}, which has no conflict there; or the bound it would pass. */
  private Limit place(FileState f, FileKey file, LockOwner owner, LockRange range, LockType type) {
    List<Lock> mine = owned(f, owner);
    List<Lock> next = apply(file, owner, mine, range, type);
    int delta = next.size() - mine.size();
    if (delta > 0) {
      if (client(owner.client())[0] + delta > limits.locksPerClient()) return Limit.CLIENT_LOCKS;
      if (lockCount + delta > limits.locks()) return Limit.LOCKS;
    }
    replace(f, owner, mine, next);
    return null;
  }

  private void replace(FileState f, LockOwner owner, List<Lock> mine, List<Lock> next) {
    f.held.removeIf(l -> l.owner().equals(owner));
    f.held.addAll(next);
    adjust(owner.client(), next.size() - mine.size(), 0);
  }

  /** Grants the waiters of {@code f} that can go now, oldest first; see the class comment. */
  private List<Grant> wake(FileState f) {
    if (f.waiters.isEmpty()) return List.of();
    List<Grant> out = new ArrayList<>();
    List<Waiter> still = new ArrayList<>();
    for (Iterator<Waiter> it = f.waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      Lock want = w.want;
      boolean blocked = conflict(f, want.owner(), want.range(), want.type()) != null;
      for (int i = 0; !blocked && i < still.size(); i++) blocked = still.get(i).want.conflictsWith(want.owner(), want.range(), want.type());
      if (blocked) {
        still.add(w);
        continue;
      }
      it.remove();
      adjust(want.owner().client(), 0, -1);
      if (place(f, want.file(), want.owner(), want.range(), want.type()) != null) {
        counters[LockStat.WAITERS_DROPPED_AT_LIMIT.ordinal()]++;
        continue;
      }
      counters[LockStat.WAITERS_GRANTED.ordinal()]++;
      out.add(new Grant(w.id, want, w.listener));
    }
    return out;
  }

  private List<Grant> release(Predicate<LockOwner> whose) {
    List<Grant> out = new ArrayList<>();
    for (Iterator<Map.Entry<FileKey, FileState>> it = files.entrySet().iterator(); it.hasNext(); ) {
      FileState f = it.next().getValue();
      boolean any = false;
      for (Iterator<Lock> l = f.held.iterator(); l.hasNext(); ) {
        Lock x = l.next();
        if (whose.test(x.owner())) {
          l.remove();
          adjust(x.owner().client(), -1, 0);
          counters[LockStat.LOCKS_RELEASED.ordinal()]++;
          any = true;
        }
      }
      for (Iterator<Waiter> w = f.waiters.iterator(); w.hasNext(); ) {
        Waiter x = w.next();
        if (whose.test(x.want.owner())) {
          w.remove();
          adjust(x.want.owner().client(), 0, -1);
          counters[LockStat.WAITERS_RELEASED.ordinal()]++;
          any = true;
        }
      }
      if (any) out.addAll(wake(f));
      if (f.empty()) it.remove();
    }
    return out.isEmpty() ? List.of() : Collections.unmodifiableList(out);
  }

  private int[] client(String client) {
    int[] c = clients.get(client);
    return c == null ? new int[2] : c;
  }

  private void adjust(String client, int locks, int waiters) {
    if (locks == 0 && waiters == 0) return;
    int[] c = clients.computeIfAbsent(client, k -> new int[2]);
    c[0] += locks;
    c[1] += waiters;
    lockCount += locks;
    waiterCount += waiters;
    if (c[0] == 0 && c[1] == 0) clients.remove(client);
  }

  private void cleanup(FileKey file, FileState f) {
    if (f.empty()) files.remove(file);
  }
}
