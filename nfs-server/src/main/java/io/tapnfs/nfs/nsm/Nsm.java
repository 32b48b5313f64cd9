package io.tapnfs.nfs.nsm;

import io.tapnfs.netstack.Clock;
import io.tapnfs.nfs.lock.ClientReboots;
import io.tapnfs.nfs.lock.Grace;
import io.tapnfs.nfs.lock.LockClients;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process status monitor (NSM, X/Open XNFS; for a server, what nfs-utils' rpc.statd and
 * sm-notify do for knfsd's lockd). tapnfs runs its own TCP/IP stack, so a statd of the host could
 * neither hear the clients nor be heard by them: this is ours.
 *
 * <ul>
 * <li>{@link #open} is the start: the state number goes up (odd), the clients recorded before it
 *     are to be told ({@link NsmStore}), and the {@link #grace} period begins, or is none when
 *     there is no such client (nothing can be reclaimed).
 * <li>NLM calls {@link #monitor} before it grants a client its first lock (as knfsd's lockd sends
 *     SM_MON to statd); the record is on disk before the call returns. NLM calls {@link
 *     #unmonitor} once the client holds no lock any more (knfsd's lockd sends SM_UNMON when it
 *     drops its host entry); until then the record stays, through the client's reboots too (statd
 *     keeps monitoring until lockd unmonitors).
 * <li>SM_NOTIFY from a client ({@link NsmProgram}): a client that restarted. It matches a
 *     monitored record by name or by the caller's address, as statd's {@code sm_notify_1_svc}
 *     does; each match is handed to {@link ClientReboots#rebooted} (NLM drops the client's locks)
 *     unless the client gave the same state number last time (statd's {@code NL_STATE} check: a
 *     retransmission). No match: ignored.
 * <li>{@link #startNotifier}: SM_NOTIFY(our name, our state) to every client recorded before the
 *     start ({@link NsmNotifier}). Our name is the stack's IP address as a string, what the
 *     clients mounted; a client's statd matches it against what its lockd monitors by name or by
 *     our address.
 * </ul>
 *
 * <p>Concurrency: thread-safe. The store has its own lock; counters are atomic; the last state
 * number per client is a concurrent map; the {@link ClientReboots} listener is volatile and is
 * called on the RPC worker thread that received SM_NOTIFY, with no lock held.
 */
public final class Nsm implements LockClients, Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Nsm.class);
  /** knfsd's grace period (nfsd's default lease time and grace, 90 s). */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(90);
  public static final int DEFAULT_NOTIFY_THREADS = 4;

  /**
   * @param grace how long after a start only reclaims are granted
   * @param maxClients the most clients monitored at once (and loaded to notify at a start)
   * @param notifyBackoff when to try a client again, and for how long
   * @param notifyThreads how many clients are tried at once
   * @param callTimeout how long each RPC call of an attempt waits (it is sent twice)
   */
  public record Settings(Duration grace, int maxClients, Backoff notifyBackoff, int notifyThreads, Duration callTimeout) {
    public Settings {
      if (grace.isNegative()) throw new IllegalArgumentException("grace " + grace);
      if (maxClients < 1 || notifyThreads < 1) throw new IllegalArgumentException("maxClients " + maxClients + ", notifyThreads " + notifyThreads);
      Objects.requireNonNull(notifyBackoff, "notifyBackoff");
      Objects.requireNonNull(callTimeout, "callTimeout");
    }

    public static Settings defaults() {
      return new Settings(DEFAULT_GRACE, NsmStore.DEFAULT_MAX_CLIENTS, Backoff.SM_NOTIFY, DEFAULT_NOTIFY_THREADS, Duration.ofSeconds(2));
    }

    public Settings withGrace(Duration g) { return new Settings(g, maxClients, notifyBackoff, notifyThreads, callTimeout); }

    public Settings withNotifyBackoff(Backoff b) { return new Settings(grace, maxClients, b, notifyThreads, callTimeout); }

    public Settings withMaxClients(int n) { return new Settings(grace, n, notifyBackoff, notifyThreads, callTimeout); }
  }

  /** Until NLM sets its own: nothing holds locks, so a reboot releases nothing. */
  private static final ClientReboots NO_LOCKS = (host, address) -> LOG.debug("NSM: {} restarted; no lock manager to tell", host);

  private final NsmStore store;
  private final String name;
  private final Grace grace;
  private final Settings settings;
  private final Clock clock;
  private final AtomicLongArray counters = new AtomicLongArray(NsmStat.values().length);
  private final Map<String, Integer> lastState = new ConcurrentHashMap<>();   // by MonitorRecord.key
  private volatile ClientReboots reboots = NO_LOCKS;
  private volatile NsmNotifier notifier;

  private Nsm(NsmStore store, String name, Grace grace, Settings settings, Clock clock) {
    this.store = store;
    this.name = name;
    this.grace = grace;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * Starts the monitor on {@code <stateDir>/nsm} ({@link NsmStore#open}).
   * @param name our name in SM_NOTIFY: the stack's address, as a dotted quad
   * @param clock the monotonic clock the grace period is measured on (NLM and NFSv4 ask it with the same)
   */
  public static Nsm open(Path stateDir, String name, Settings settings, Clock clock) throws IOException {
    NsmStore store = NsmStore.open(stateDir, settings.maxClients());
    int before = store.toNotify().size();
    Grace g = before == 0 ? Grace.none() : new Grace(clock.nanos(), settings.grace());
    LOG.info("NSM: state {}; {} client(s) of before to notify; {}", store.state(), before,
        before == 0 ? "no grace period (nothing to reclaim)" : "grace period of " + settings.grace().toSeconds() + " s");
    return new Nsm(store, Objects.requireNonNull(name, "name"), g, settings, clock);
  }

  /** Our state number since this start (odd). */
  public int state() { return store.state(); }

  /** Our name in SM_NOTIFY. */
  public String name() { return name; }

  /** The grace period of this start, for NLM and NFSv4 alike. */
  public Grace grace() { return grace; }

  public Settings settings() { return settings; }

  /** Whom {@link ClientReboots#rebooted} goes to: NLM, once it serves. */
  public void clientReboots(ClientReboots c) { this.reboots = Objects.requireNonNull(c, "clientReboots"); }

  NsmStore store() { return store; }

  /**
   * Records {@code host} (NLM's caller_name) at {@code address}, on disk, before returning. Called
   * again with the same name and address it writes nothing.
   * @throws IOException the record could not be written, the name is empty or over SM_MAXSTRLEN
   *     bytes, the address is not IPv4, or {@link NsmStore.Full}: NLM should then refuse the lock
   *     (NLM4_DENIED_NOLOCKS), since the client could not be told to reclaim it
   */
  @Override public void monitor(String host, InetAddress address) throws IOException {
    if (!(address instanceof Inet4Address a)) throw new IOException("NSM: " + host + " at " + address + ": only IPv4 clients");
    MonitorRecord r;
    try {
      r = new MonitorRecord(host, a);
    } catch (IllegalArgumentException e) {
      throw new IOException("NSM: cannot monitor '" + host + "': " + e.getMessage());
    }
    try {
      if (store.monitor(r)) {
        count(NsmStat.MONITORED);
        LOG.info("NSM: monitoring {}", r);
      }
    } catch (NsmStore.Full e) {
      count(NsmStat.MONITOR_REFUSED);
      throw e;
    }
  }

  /**
   * Forgets {@code host}: NLM calls it when the client holds no lock any more (after its last
   * UNLOCK, FREE_ALL, or its locks released on a reboot). @return whether it was monitored
   */
  @Override public boolean unmonitor(String host) throws IOException {
    boolean had = store.unmonitor(host);
    lastState.remove(MonitorRecord.key(host));
    if (had) {
      count(NsmStat.UNMONITORED);
      LOG.info("NSM: no longer monitoring {}", host);
    }
    return had;
  }

  /** The clients monitored now. */
  public List<MonitorRecord> monitored() { return store.monitored(); }

  /** The clients of before this start not yet told of it. */
  public List<MonitorRecord> toNotify() {
    List<MonitorRecord> l = new ArrayList<>();
    for (NsmStore.Retired r : store.toNotify()) l.add(r.client());
    return l;
  }

  /**
   * SM_NOTIFY(monName, state) arrived from {@code from}: hands every monitored client it names (or
   * that has that address) to {@link ClientReboots}. @return how many were
   */
  int clientRestarted(String monName, int state, Inet4Address from) {
    String key = MonitorRecord.key(monName);
    List<MonitorRecord> matched = new ArrayList<>();
    for (MonitorRecord r : store.monitored())
      if (MonitorRecord.key(r.name()).equals(key) || r.address().equals(from)) matched.add(r);
    if (matched.isEmpty()) {
      count(NsmStat.NOTIFY_UNMONITORED);
      LOG.debug("NSM: SM_NOTIFY from {} ({}), state {}: not monitored", from.getHostAddress(), monName, state);
      return 0;
    }
    int n = 0;
    for (MonitorRecord r : matched) {
      Integer prev = lastState.put(MonitorRecord.key(r.name()), state);
      if (prev != null && prev == state) {
        count(NsmStat.NOTIFY_DUPLICATE);
        continue;
      }
      count(NsmStat.CLIENT_REBOOTS);
      LOG.info("NSM: {} restarted (SM_NOTIFY from {} as {}, state {}): releasing its locks", r, from.getHostAddress(), monName, state);
      try {
        reboots.rebooted(r.name(), from);
      } catch (RuntimeException e) {
        LOG.error("NSM: releasing the locks of {} failed", r, e);
      }
      n++;
    }
    return n;
  }

  /** Starts telling the clients of before this start (see {@link NsmNotifier}), on its own threads. */
  public NsmNotifier startNotifier(NsmNotifier.StatdCaller caller) {
    return startNotifier(caller, NsmNotifier.Scheduler.threads(settings.notifyThreads(), "tapnfs-nsm-notify"));
  }

  synchronized NsmNotifier startNotifier(NsmNotifier.StatdCaller caller, NsmNotifier.Scheduler scheduler) {
    if (notifier != null) throw new IllegalStateException("the notifier runs already");
    NsmNotifier n = new NsmNotifier(this, caller, settings.notifyBackoff(), scheduler, clock);
    notifier = n;
    n.start();
    return n;
  }

  void count(NsmStat s) { counters.incrementAndGet(s.ordinal()); }

  public long counter(NsmStat s) { return counters.get(s.ordinal()); }

  /** Counters by {@link NsmStat} name in camelCase ("notifySent", ...), then "notifyPending" and "graceActive". */
  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (NsmStat s : NsmStat.values()) m.put(io.tapnfs.netstack.Counters.camel(s.name()), counters.get(s.ordinal()));
    NsmNotifier n = notifier;
    m.put("notifyPending", n == null ? (long) store.toNotify().size() : n.pending());
    m.put("graceActive", grace.active(clock.nanos()) ? 1L : 0L);
    return m;
  }


  /** Stops the notifier; what it has not sent stays on disk for the next start. */
  @Override public void close() {
    NsmNotifier n = notifier;
    if (n != null) n.close();
  }
}
