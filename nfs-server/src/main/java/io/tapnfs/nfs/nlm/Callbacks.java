package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.lock.LockManager.Lock;
import io.tapnfs.nfs.lock.LockOwner;
import io.tapnfs.nfs.lock.LockRange;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * The calls tapnfs makes back to clients, as a state machine with time as a parameter: GRANTED
 * (or GRANTED_MSG) to a waiter that now holds its lock, and the _RES call carrying the result of
 * a _MSG call. {@link CallbackRunner} makes the calls and reports back here.
 *
 * <p>One callback goes: {@link #add} (run it now) → {@link #begin} (in flight; a stale or dropped
 * one gives null) → {@link #replied} (GRANTED's nlm_res, or a GRANTED_RES for GRANTED_MSG),
 * {@link #sent} (a void reply) or {@link #failed} → an {@link Outcome}:
 * <ul>
 * <li>GRANTED: tried again with backoff ({@code retryInitial} doubling up to {@code retryMax})
 *     while the client cannot be reached or answers DENIED_GRACE_PERIOD (it has just rebooted),
 *     until {@code grantedGiveUp} after the first try: then the lock is released (the lock
 *     manager serves the next waiter). A client that answers anything else does not want the
 *     lock: released at once, as Linux's {@code nlmsvc_grant_reply} does.
 * <li>GRANTED_MSG: the call's reply says only that it arrived; the client answers with
 *     GRANTED_RES ({@link #answered}), matched by our cookie and its address. Until then it is
 *     sent again on GRANTED's schedule, and released at the same deadline. (Linux resends every
 *     60 s without end; a bound keeps a vanished client from holding the lock.)
 * <li>_RES: {@code resAttempts} tries, then dropped (the client retransmits its _MSG call).
 * </ul>
 * A callback whose lock the client got some other way (it polled with LOCK again), unlocked or
 * cancelled is dropped ({@link #dropLock}); so are a rebooted client's ({@link #dropClient}).
 *
 * <p>Bounded: {@code maxCallbacks} at once; {@link #add} refuses past it. Thread-safe: one
 * monitor, no calls out.
 */
final class Callbacks {
  enum Kind { GRANTED, GRANTED_MSG, RES }

  /**
   * Where a callback goes: the NLM program of {@code client} at {@code address}, found through
   * its rpcbind; in the {@code version} and over the transport ({@code netid}) the client called
   * with.
   */
  record Target(InetAddress address, int version, String netid, String client) {}

  /** A call to make now. */
  record Attempt(long id, Kind kind, Target target, NlmProcedure procedure, NlmType args, int attempt) {}

  sealed interface Outcome {
    /** Finished; nothing more to do. */
    record Done() implements Outcome {}

    /** Run {@code begin(id, generation)} at {@code at}. */
    record Retry(long id, long generation, long at) implements Outcome {}

    /** Undeliverable or refused by the client: unlock {@code lock}. */
    record Release(Lock lock) implements Outcome {}

    /** No such callback (dropped meanwhile): ignore. */
    record Gone() implements Outcome {}
  }

  static final Outcome DONE = new Outcome.Done(), GONE = new Outcome.Gone();

  enum Stat {
    GRANTED_QUEUED("grantedQueued"), GRANTED_DELIVERED("grantedDelivered"), GRANTED_REFUSED("grantedRefusedByClient"),
    GRANTED_GRACE("grantedClientInGrace"), GRANTED_MSG_SENT("grantedMsgSent"), GRANTED_GIVEN_UP("grantedGivenUp"),
    GRANTED_DROPPED("grantedDropped"), RES_QUEUED("resQueued"), RES_DELIVERED("resDelivered"), RES_DROPPED("resDropped"),
    ATTEMPTS("callbackAttempts"), FAILURES("callbackFailures"), RETRIES("callbackRetries"), REFUSED_FULL("callbacksRefusedFull");

    final String key;

    Stat(String key) { this.key = key; }
  }

  private static final class Pending {
    final long id;
    final Kind kind;
    final Target target;
    final NlmProcedure procedure;
    final NlmType args;
    final Lock lock;
    final long firstAt;
    long generation;
    int attempts;
    boolean inFlight;

    Pending(long id, Kind kind, Target target, NlmProcedure procedure, NlmType args, Lock lock, long firstAt) {
      this.id = id;
      this.kind = kind;
      this.target = target;
      this.procedure = procedure;
      this.args = args;
      this.lock = lock;
      this.firstAt = firstAt;
    }
  }

  private final NlmConfig config;
  private final Map<Long, Pending> pending = new LinkedHashMap<>();
  private final long[] counters = new long[Stat.values().length];
  private long nextId = 1;

  Callbacks(NlmConfig config) { this.config = config; }

  /** The cookie of callback {@code id}: its number, 8 bytes big-endian. */
  static byte[] cookie(long id) { return ByteBuffer.allocate(8).putLong(id).array(); }

  /**
   * A new callback, to run now: a Retry of generation 0 at {@code now}; null when
   * {@code maxCallbacks} are pending (a GRANTED's lock must then be released).
   *
   * @param args the call's arguments, given the callback's number (GRANTED's cookie is {@link #cookie})
   * @param lock for GRANTED and GRANTED_MSG, the lock granted; null for RES
   */
  synchronized Outcome.Retry add(Kind kind, Target target, NlmProcedure procedure, LongFunction<NlmType> args, Lock lock, long now) {
    if (pending.size() >= config.maxCallbacks()) {
      counters[Stat.REFUSED_FULL.ordinal()]++;
      return null;
    }
    long id = nextId++;
    pending.put(id, new Pending(id, kind, target, procedure, args.apply(id), lock, now));
    counters[(kind == Kind.RES ? Stat.RES_QUEUED : Stat.GRANTED_QUEUED).ordinal()]++;
    return new Outcome.Retry(id, 0, now);
  }

  /** Starts a try of callback {@code id}, or null if it is gone, in flight, or {@code generation} is stale. */
  synchronized Attempt begin(long id, long generation, long now) {
    Pending p = pending.get(id);
    if (p == null || p.inFlight || p.generation != generation) return null;
    p.inFlight = true;
    p.attempts++;
    counters[Stat.ATTEMPTS.ordinal()]++;
    return new Attempt(id, p.kind, p.target, p.procedure, p.args, p.attempts);
  }

  /** The client answered a GRANTED (or, through GRANTED_RES, a GRANTED_MSG) with {@code stat}. */
  synchronized Outcome replied(long id, NlmStats stat, long now) {
    Pending p = pending.get(id);
    if (p == null) return GONE;
    p.inFlight = false;
    if (stat == NlmStats.GRANTED) {
      pending.remove(id);
      counters[Stat.GRANTED_DELIVERED.ordinal()]++;
      return DONE;
    }
    if (stat == NlmStats.DENIED_GRACE_PERIOD) {
      counters[Stat.GRANTED_GRACE.ordinal()]++;
      return again(p, now);
    }
    pending.remove(id);
    counters[Stat.GRANTED_REFUSED.ordinal()]++;
    return new Outcome.Release(p.lock);
  }

  /** A call whose result is void (a _RES, a GRANTED_MSG) got its reply. */
  synchronized Outcome sent(long id, long now) {
    Pending p = pending.get(id);
    if (p == null) return GONE;
    p.inFlight = false;
    if (p.kind == Kind.RES) {
      pending.remove(id);
      counters[Stat.RES_DELIVERED.ordinal()]++;
      return DONE;
    }
    counters[Stat.GRANTED_MSG_SENT.ordinal()]++;
    return again(p, now);                       // wait for GRANTED_RES; send again if none comes
  }

  /** The try failed: no port at the client's rpcbind, no reply, a transport error. */
  synchronized Outcome failed(long id, long now) {
    Pending p = pending.get(id);
    if (p == null) return GONE;
    p.inFlight = false;
    counters[Stat.FAILURES.ordinal()]++;
    return again(p, now);
  }

  /**
   * A GRANTED_RES from {@code from}: the answer to our GRANTED_MSG whose cookie it carries, or
   * GONE when no GRANTED_MSG to that address has it.
   */
  synchronized Outcome answered(byte[] cookie, InetAddress from, NlmStats stat, long now) {
    if (cookie.length != 8) return GONE;
    Pending p = pending.get(ByteBuffer.wrap(cookie).getLong());
    if (p == null || p.kind != Kind.GRANTED_MSG || !p.target.address().equals(from)) return GONE;
    return replied(p.id, stat, now);
  }

  /** Drops the GRANTED callbacks for exactly this lock (the client has it, unlocked it or cancelled it); true if there was one. */
  synchronized boolean dropLock(FileKey file, LockOwner owner, LockRange range) {
    return drop(p -> p.lock != null && p.lock.file().equals(file) && p.lock.owner().equals(owner) && p.lock.range().equals(range)) > 0;
  }

  /** Drops every callback to {@code client}; returns how many. */
  synchronized int dropClient(String client) { return drop(p -> p.target.client().equals(client)); }

  private int drop(Predicate<Pending> which) {
    int n = 0;
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (which.test(p)) {
        it.remove();
        if (p.kind != Kind.RES) counters[Stat.GRANTED_DROPPED.ordinal()]++;
        n++;
      }
    }
    return n;
  }

  /** Tries again after the backoff, or gives up. */
  private Outcome again(Pending p, long now) {
    long giveUp = config.grantedGiveUp().toNanos();
    if (p.kind == Kind.RES) {
      if (p.attempts >= config.resAttempts()) {
        pending.remove(p.id);
        counters[Stat.RES_DROPPED.ordinal()]++;
        return DONE;
      }
    } else if (now - p.firstAt >= giveUp) {
      pending.remove(p.id);
      counters[Stat.GRANTED_GIVEN_UP.ordinal()]++;
      return new Outcome.Release(p.lock);
    }
    long at = now + backoff(p.attempts);
    if (p.kind != Kind.RES && at - (p.firstAt + giveUp) > 0) at = p.firstAt + giveUp;   // a last try at the deadline
    p.generation++;
    counters[Stat.RETRIES.ordinal()]++;
    return new Outcome.Retry(p.id, p.generation, at);
  }

  /** The pause after the {@code attempts}-th try: retryInitial, doubling, at most retryMax. */
  long backoff(int attempts) {
    long d = config.retryInitial().toNanos(), max = config.retryMax().toNanos();
    for (int i = 1; i < attempts && d < max; i++) d *= 2;
    return Math.min(d, max);
  }

  synchronized int size() { return pending.size(); }

  synchronized Set<String> clients() {
    Set<String> out = new HashSet<>();
    for (Pending p : pending.values()) out.add(p.target.client());
    return out;
  }

  synchronized long counter(Stat s) { return counters[s.ordinal()]; }

  synchronized Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("callbacksPending", (long) pending.size());
    for (Stat s : Stat.values()) m.put(s.key, counters[s.ordinal()]);
    return m;
  }
}
