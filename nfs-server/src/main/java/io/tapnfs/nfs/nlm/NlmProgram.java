package io.tapnfs.nfs.nlm;

import io.tapnfs.netstack.Clock;
import io.tapnfs.netstack.Stack;
import io.tapnfs.nfs.lock.ClientReboots;
import io.tapnfs.nfs.lock.GrantListener;
import io.tapnfs.nfs.lock.Grace;
import io.tapnfs.nfs.lock.LockClients;
import io.tapnfs.nfs.lock.LockManager;
import io.tapnfs.nfs.lock.LockManager.Grant;
import io.tapnfs.nfs.lock.LockManager.Lock;
import io.tapnfs.nfs.lock.LockType;
import io.tapnfs.nfs.nlm.xdr.NlmHolder;
import io.tapnfs.nfs.nlm.xdr.NlmLock;
import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmShareres;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmTestargs;
import io.tapnfs.nfs.nlm.xdr.NlmTestres;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import io.tapnfs.nfs.vfs.Exports;
import io.tapnfs.rpc.RpcCaller;
import io.tapnfs.rpc.RpcServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.xdr.XdrAble;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrEncodingStream;
import org.dcache.oncrpc4j.xdr.XdrVoid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Network Lock Manager, program 100021, versions 1 and 3 (XNFS, Open Group C702, chapter 10:
 * 32-bit offsets) and 4 (RFC 1813 Appendix II: 64-bit), for NFSv3 clients, over the shared
 * {@link LockManager}. Serve one instance for all three versions:
 * <pre>
 *   for (int v : NlmProgram.VERSIONS) builder.program(NlmProgram.PROGRAM, v, nlm);
 * </pre>
 *
 * <p>Who is who. The handle in a call is the NFSv3 handle: it resolves through the exports as an
 * NFS call's would (the export must admit the caller) to the file's {@link
 * io.tapnfs.nfs.lock.FileKey}. The client is {@link #clientKey}: {@code "nlm:" + caller_name +
 * "@" + source address}, so two hosts that give the same caller_name (two containers both
 * "localhost") stay apart, and a client that renumbers is a new client, as Linux's lockd keys its
 * hosts by name and address. The owner is the client with the {@code svid} and {@code oh}
 * ({@link #ownerBytes}). The status monitor is told {@code monitor(caller_name, address)} before
 * a host's first lock; when it reports a reboot ({@link #rebooted}) every client key at that
 * address goes, whatever its name: the monitor's mon_name and the client's caller_name need not
 * agree (Linux's sm-notify may send an address), the address is what Linux's lockd matches by
 * default ({@code nsm_use_hostnames} off).
 *
 * <p>Answers: GARBAGE_ARGS for arguments that do not decode (every netobj bounded to 1024 bytes,
 * caller_name to LM_MAXSTRLEN, the handle to 64, bools and enums checked); PROC_UNAVAIL for
 * numbers the version lacks (16-19; 20-23 in version 1); otherwise the procedure's own status,
 * mapped for versions 1 and 3 as Linux's {@code cast_to_nlm} ({@link NlmStats#code}). A
 * procedure that throws (our fault) is logged and answered DENIED_NOLOCKS / FAILED, never a
 * system error. The _MSG forms get an empty reply and their result as a _RES call to the client;
 * waiters are told with GRANTED (GRANTED_MSG for LOCK_MSG) through {@link Callbacks} and
 * {@link CallbackRunner}.
 *
 * <p>Concurrency: calls run on the RPC server's workers at once; callbacks and the sweep on the
 * runner's threads. The lock manager, share table and callback table each have their own
 * monitor, never held while calling out; the monitored-host set is a concurrent set. Counters
 * are atomic.
 */
public final class NlmProgram implements RpcDispatchable, ClientReboots, Closeable {
  /** NLM_PROG 100021; versions 1, 3 (NLM_VERS, NLM_VERSX) and 4 (NLM4_VERS). */
  public static final int PROGRAM = 100021;
  public static final int[] VERSIONS = {1, 3, 4};
  /** IANA's port for lockd (4045, "nlockmgr"), which Linux's lockd also binds when told to. */
  public static final int PORT = 4045;
  static final String CLIENT_PREFIX = "nlm:";

  private static final Logger LOG = LoggerFactory.getLogger(NlmProgram.class);

  final Exports exports;
  final LockManager locks;
  final Grace grace;
  final NlmConfig config;
  final ShareTable shares;
  final Callbacks callbacks;
  final CallbackRunner runner;
  private final LockClients monitor;
  private final Clock clock;
  private final Set<String> monitored = ConcurrentHashMap.newKeySet();
  private final NlmProc<?>[] procs = new NlmProc<?>[NlmProcedure.values().length];
  private final AtomicLongArray calls = new AtomicLongArray(NlmProcedure.values().length);
  private final AtomicLongArray versionCalls = new AtomicLongArray(5);
  private final AtomicLongArray replies = new AtomicLongArray(NlmStats.values().length);
  private final AtomicLongArray other = new AtomicLongArray(NlmStat.values().length);

  /** NLM over {@code stack}: callbacks go out through the stack's own sockets. */
  public NlmProgram(Exports exports, LockManager locks, LockClients monitor, Grace grace, NlmConfig config, Clock clock, Stack stack) {
    this(exports, locks, monitor, grace, config, clock, new StackCallbackClient(stack, config.callTimeout(), config.udpRetries()));
  }

  NlmProgram(Exports exports, LockManager locks, LockClients monitor, Grace grace, NlmConfig config, Clock clock, CallbackClient client) {
    this.exports = Objects.requireNonNull(exports, "exports");
    this.locks = Objects.requireNonNull(locks, "locks");
    this.monitor = Objects.requireNonNull(monitor, "monitor");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.shares = new ShareTable(config.maxShares());
    this.callbacks = new Callbacks(config);
    this.runner = new CallbackRunner(callbacks, client, clock, config.callbackThreads(), this::release);
    LockProc lock = new LockProc(true);
    TestProc test = new TestProc();
    CancelProc cancel = new CancelProc();
    UnlockProc unlock = new UnlockProc();
    GrantedProc granted = new GrantedProc();
    procs[NlmProcedure.TEST.ordinal()] = test;
    procs[NlmProcedure.LOCK.ordinal()] = lock;
    procs[NlmProcedure.CANCEL.ordinal()] = cancel;
    procs[NlmProcedure.UNLOCK.ordinal()] = unlock;
    procs[NlmProcedure.GRANTED.ordinal()] = granted;
    procs[NlmProcedure.TEST_MSG.ordinal()] = test;
    procs[NlmProcedure.LOCK_MSG.ordinal()] = lock;
    procs[NlmProcedure.CANCEL_MSG.ordinal()] = cancel;
    procs[NlmProcedure.UNLOCK_MSG.ordinal()] = unlock;
    procs[NlmProcedure.GRANTED_MSG.ordinal()] = granted;
    procs[NlmProcedure.TEST_RES.ordinal()] = new ResProc(true);
    procs[NlmProcedure.LOCK_RES.ordinal()] = new ResProc(false);
    procs[NlmProcedure.CANCEL_RES.ordinal()] = new ResProc(false);
    procs[NlmProcedure.UNLOCK_RES.ordinal()] = new ResProc(false);
    procs[NlmProcedure.GRANTED_RES.ordinal()] = new GrantedResProc();
    procs[NlmProcedure.SHARE.ordinal()] = new ShareProc();
    procs[NlmProcedure.UNSHARE.ordinal()] = new UnshareProc();
    procs[NlmProcedure.NM_LOCK.ordinal()] = new LockProc(false);
    procs[NlmProcedure.FREE_ALL.ordinal()] = new FreeAllProc();
    runner.every(config.sweepInterval(), this::sweep);
  }

  // ------------------------------------------------------------------ identities

  /** The lock manager's client for a host: {@code "nlm:" + caller_name + "@" + address}; see the class comment. */
  public static String clientKey(String callerName, InetAddress address) {
    return CLIENT_PREFIX + callerName + "@" + address.getHostAddress();
  }

  /** An NLM owner inside its client: the svid (4 bytes, big-endian), then the oh. */
  static byte[] ownerBytes(int svid, byte[] oh) {
    return ByteBuffer.allocate(4 + oh.length).putInt(svid).put(oh).array();
  }

  static LockType type(boolean exclusive) { return exclusive ? LockType.WRITE : LockType.READ; }

  /**
   * The nlm4_holder of {@code lock}: an NLM owner's svid and oh; for another protocol's owner
   * (NFSv4) svid 0 and no oh, as Linux's lockd gives no owner of a conflict it did not make.
   */
  static NlmHolder holder(Lock lock, int version) {
    byte[] o = lock.owner().owner();
    boolean nlm = lock.owner().client().startsWith(CLIENT_PREFIX) && o.length >= 4;
    int svid = nlm ? ByteBuffer.wrap(o).getInt() : 0;
    byte[] oh = nlm ? Arrays.copyOfRange(o, 4, o.length) : new byte[0];
    return NlmHolder.of(lock.type() == LockType.WRITE, svid, oh, lock.range(), version);
  }

  // ------------------------------------------------------------------ dispatch

  @Override public void dispatchOncRpcCall(RpcCall call) {
    int version = call.getProgramVersion();
    NlmProcedure p = NlmProcedure.of(call.getProcedure(), version);
    if (p == null) {
      other.incrementAndGet(NlmStat.PROC_UNAVAIL.ordinal());
      call.failProcedureUnavailable();
      return;
    }
    calls.incrementAndGet(p.ordinal());
    if (version >= 0 && version < versionCalls.length()) versionCalls.incrementAndGet(version);
    if (p == NlmProcedure.NULL) {
      try {
        call.retrieveCall(XdrVoid.XDR_VOID);
      } catch (IOException e) {
        garbage(call, p, e);
        return;
      }
      call.reply(XdrVoid.XDR_VOID);
      return;
    }
    serve(call, p, procs[p.ordinal()], version);
  }

  private <A> void serve(RpcCall call, NlmProcedure p, NlmProc<A> proc, int version) {
    Args<A> args = new Args<>(proc, version);
    try {
      call.retrieveCall(args);
    } catch (IOException e) {
      garbage(call, p, e);
      return;
    }
    String netid = RpcServer.currentNetid();
    NlmCx cx = new NlmCx(this, version, RpcCaller.of(call), netid == null ? "tcp" : netid, clock.nanos(), p.msg());
    NlmType res = answer(call, p, proc, cx, args.value);
    NlmStats s = status(res);
    if (s != null) replies.incrementAndGet(s.in(version).ordinal());
    if (p.msg()) {
      call.reply(XdrVoid.XDR_VOID);
      if (res != null) sendRes(cx, p.res(), res);
      return;
    }
    try {
      call.reply(res == null ? XdrVoid.XDR_VOID : res.xdr(version));
    } catch (RuntimeException e) {
      LOG.error("{}: encoding the reply failed", p, e);
      other.incrementAndGet(NlmStat.SERVER_FAULTS.ordinal());
      call.failRpcSystem();
    }
  }

  /** Runs {@code proc}; a status it throws becomes its result, our own fault DENIED_NOLOCKS / FAILED. */
  private <A> NlmType answer(RpcCall call, NlmProcedure p, NlmProc<A> proc, NlmCx cx, A args) {
    try {
      return proc.run(cx, args);
    } catch (NlmException e) {
      if (e.counter() != null) other.incrementAndGet(e.counter().ordinal());
      LOG.debug("{} v{} from {}: {}", p, cx.version, cx.address().getHostAddress(), e.getMessage());
      return proc.fail(args, e.status());
    } catch (RuntimeException e) {
      LOG.error("{} v{} from {} failed", p, cx.version, call.getTransport().getRemoteSocketAddress(), e);
      other.incrementAndGet(NlmStat.SERVER_FAULTS.ordinal());
      return proc.fail(args, NlmStats.FAILED);
    }
  }

  private static NlmStats status(NlmType res) {
    if (res instanceof NlmRes r) return r.stat();
    if (res instanceof NlmTestres r) return r.stat();
    if (res instanceof NlmShareres r) return r.stat();
    return null;
  }

  private void garbage(RpcCall call, NlmProcedure p, IOException e) {
    other.incrementAndGet(NlmStat.GARBAGE_ARGS.ordinal());
    LOG.debug("{} from {}: garbage arguments: {}", p, call.getTransport().getRemoteSocketAddress(), e.getMessage());
    call.failRpcGarbage();
  }

  /** The result of a _MSG call, as a call of its _RES procedure back to the client. */
  private void sendRes(NlmCx cx, NlmProcedure res, NlmType result) {
    Callbacks.Outcome.Retry r = callbacks.add(Callbacks.Kind.RES, cx.target(), res, id -> result, null, cx.now);
    if (r != null) runner.handle(r);
  }

  // ------------------------------------------------------------------ waiters, callbacks

  /**
   * A waiter's listener: when the lock manager grants it, a GRANTED (or GRANTED_MSG) with a
   * cookie of our own goes to {@code target}, carrying the client's {@code alock} as it was sent,
   * which is how a client finds its blocked request (Linux's {@code nlmclnt_grant} matches fh,
   * svid and range).
   */
  final class Waiting implements GrantListener {
    final Callbacks.Target target;
    final NlmLock alock;
    final boolean exclusive, msg;

    Waiting(Callbacks.Target target, NlmLock alock, boolean exclusive, boolean msg) {
      this.target = target;
      this.alock = alock;
      this.exclusive = exclusive;
      this.msg = msg;
    }

    @Override public void granted(Grant g) {
      Callbacks.Kind kind = msg ? Callbacks.Kind.GRANTED_MSG : Callbacks.Kind.GRANTED;
      NlmProcedure proc = msg ? NlmProcedure.GRANTED_MSG : NlmProcedure.GRANTED;
      Callbacks.Outcome.Retry r = callbacks.add(kind, target, proc, id -> new NlmTestargs(Callbacks.cookie(id), exclusive, alock), g.lock(),
          clock.nanos());
      if (r != null) runner.handle(r);
      else runner.execute(() -> release(g.lock()));     // no room to tell the client: the next waiter gets it
    }
  }

  Waiting waiting(Callbacks.Target target, NlmLock alock, boolean exclusive, boolean msg) {
    return new Waiting(target, alock, exclusive, msg);
  }

  /** A granted lock whose client could not be told, or refused it: unlocked, the next waiters served. */
  void release(Lock lock) {
    LOG.debug("releasing undelivered grant {} [{}, {}] of {}", lock.file(), Long.toUnsignedString(lock.range().offset()),
        Long.toUnsignedString(lock.range().last()), lock.owner());
    LockManager.notify(locks.unlock(lock.file(), lock.owner(), lock.range()));
  }

  /**
   * Records the host with the status monitor before its first lock (and again after it held
   * nothing for a sweep). DENIED_NOLOCKS when the monitor cannot (Linux: {@code nsm_monitor}
   * failing is nlm_lck_denied_nolocks) or the table of monitored hosts is full.
   */
  void monitor(NlmCx cx, String callerName) throws NlmException {
    String key = cx.client(callerName);
    if (monitored.contains(key)) return;
    if (monitored.size() >= config.maxHosts()) {
      sweepHosts();
      if (monitored.size() >= config.maxHosts())
        throw new NlmException(NlmStats.DENIED_NOLOCKS, NlmStat.HOST_LIMIT, config.maxHosts() + " hosts monitored");
    }
    try {
      monitor.monitor(callerName, cx.address());
    } catch (IOException | RuntimeException e) {
      LOG.warn("status monitor could not record {} at {}: {}", callerName, cx.address().getHostAddress(), e.toString());
      throw new NlmException(NlmStats.DENIED_NOLOCKS, NlmStat.MONITOR_FAILED, "monitor " + callerName + ": " + e);
    }
    monitored.add(key);
  }

  // ------------------------------------------------------------------ reboots, FREE_ALL, sweep

  /**
   * The status monitor saw {@code host} restart (SM_NOTIFY): every client at {@code address}
   * loses its locks, waiters, shares and pending callbacks, whatever caller_name it used (see the
   * class comment); with no address, the clients named {@code host} (ignoring case).
   */
  @Override public void rebooted(String host, InetAddress address) {
    String suffix = address == null ? null : "@" + address.getHostAddress();
    String prefix = CLIENT_PREFIX + host + "@";
    for (String key : knownClients()) {
      boolean match = suffix != null ? key.startsWith(CLIENT_PREFIX) && key.endsWith(suffix)
          : key.regionMatches(true, 0, prefix, 0, prefix.length());
      if (match) {
        LOG.info("NLM: {} rebooted; dropping the locks of {}", host, key);
        other.incrementAndGet(NlmStat.HOSTS_REBOOTED.ordinal());
        drop(key);
      }
    }
  }

  /** FREE_ALL: everything of {@code client} goes. */
  void freeAll(String client) {
    other.incrementAndGet(NlmStat.HOSTS_FREED.ordinal());
    drop(client);
  }

  private void drop(String client) {
    callbacks.dropClient(client);           // first: no GRANTED to a host whose locks are going
    shares.releaseClient(client);
    if (monitored.remove(client)) unmonitor(client);
    LockManager.notify(locks.releaseClient(client));
  }

  /**
   * The host of {@code client} holds nothing any more: the status monitor forgets it (SM_UNMON),
   * unless the same name is still monitored from another address.
   */
  private void unmonitor(String client) {
    int at = client.lastIndexOf('@');
    if (!client.startsWith(CLIENT_PREFIX) || at < CLIENT_PREFIX.length()) return;
    String name = client.substring(CLIENT_PREFIX.length(), at);
    for (String k : monitored) if (k.startsWith(CLIENT_PREFIX + name + "@")) return;
    try {
      monitor.unmonitor(name);
    } catch (IOException | RuntimeException e) {
      LOG.warn("status monitor could not forget {}: {}", name, e.toString());
    }
  }

  private Set<String> knownClients() {
    Set<String> all = new HashSet<>(locks.clients());
    all.addAll(shares.clients());
    all.addAll(callbacks.clients());
    all.addAll(monitored);
    return all;
  }

  /** Drops expired waiters (serving those behind them) and forgets hosts that hold nothing. */
  void sweep() {
    LockManager.notify(locks.expire(clock.nanos()));
    sweepHosts();
  }

  private void sweepHosts() {
    Set<String> busy = new HashSet<>(shares.clients());
    busy.addAll(callbacks.clients());
    for (String k : monitored)
      if (!busy.contains(k) && !locks.active(k) && monitored.remove(k)) unmonitor(k);
  }

  void count(NlmStat s) { other.incrementAndGet(s.ordinal()); }

  // ------------------------------------------------------------------ counters

  public long calls(NlmProcedure p) { return calls.get(p.ordinal()); }

  /** Replies (and _RES results) with status {@code s}, as the version spoke it. */
  public long replies(NlmStats s) { return replies.get(s.ordinal()); }

  long counter(NlmStat s) { return other.get(s.ordinal()); }

  long callbackCounter(Callbacks.Stat s) { return callbacks.counter(s); }

  /**
   * For {@code tapnfs stat}: "nullCalls" ... "freeAllCalls", "v1Calls", "v3Calls", "v4Calls",
   * replies per status ("grantedReplies" ... "failedReplies"), the {@link NlmStat} counters, the
   * callbacks' ("callbacksPending", "grantedQueued", "grantedDelivered", "grantedGivenUp", ...),
   * the share table's, and "hostsMonitored". The lock manager has its own section.
   */
  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (NlmProcedure p : NlmProcedure.values()) m.put(io.tapnfs.netstack.Counters.camel(p.name()) + "Calls", calls(p));
    for (int v : VERSIONS) m.put("v" + v + "Calls", versionCalls.get(v));
    for (NlmStats s : NlmStats.values()) m.put(io.tapnfs.netstack.Counters.camel(s.name()) + "Replies", replies(s));
    for (NlmStat s : NlmStat.values()) m.put(s.key(), counter(s));
    m.putAll(callbacks.counters());
    m.putAll(shares.counters());
    m.put("hostsMonitored", (long) monitored.size());
    return m;
  }


  /** Stops the callbacks and the sweep; pending callbacks are dropped. */
  @Override public void close() { runner.close(); }

  /** The call's arguments as oncrpc4j's {@code retrieveCall} wants them: decode-only, in the call's version. */
  private static final class Args<A> implements XdrAble {
    private final NlmProc<A> proc;
    private final int version;
    A value;

    Args(NlmProc<A> proc, int version) {
      this.proc = proc;
      this.version = version;
    }

    @Override public void xdrDecode(XdrDecodingStream in) throws IOException { value = proc.decode(in, version); }

    @Override public void xdrEncode(XdrEncodingStream out) { throw new UnsupportedOperationException("arguments are decoded"); }
  }
}
