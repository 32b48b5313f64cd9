package io.tapnfs.rpc;

import io.tapnfs.netstack.Clock;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.CompletionHandler;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.dcache.oncrpc4j.rpc.OncRpcException;
import org.dcache.oncrpc4j.rpc.OncRpcProgram;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.xdr.Xdr;

/**
 * The programs a server serves, as the map oncrpc4j's {@code RpcDispatcher} looks calls up in.
 * Its lookup never fails: a program we serve at another version gets PROG_MISMATCH with the
 * versions we have (RFC 5531 §9, where oncrpc4j alone would answer PROG_UNAVAIL), an unknown
 * program PROG_UNAVAIL, each counted. Calls are also bounded per connection: past
 * {@code maxPending} calls in progress from one peer, a call is dropped and counted (an RPC
 * server may drop; the client retransmits), so one client cannot queue unbounded work.
 *
 * <p>The procedures a program asks to have cached pass through the {@link DuplicateRequestCache}
 * here: a retransmission is answered from it or dropped, a new call runs with its reply captured.
 */
final class ProgramTable extends AbstractMap<OncRpcProgram, RpcDispatchable> {
  private final Map<OncRpcProgram, RpcDispatchable> programs;
  private final Map<OncRpcProgram, IntPredicate> cached;
  private final DuplicateRequestCache drc;
  private final Clock clock;
  private final Map<Integer, int[]> versions = new ConcurrentHashMap<>();
  private final Map<SocketAddress, AtomicInteger> pending = new ConcurrentHashMap<>();
  private final int maxPending;
  private final RpcCounters counters;
  private final String netid;
  private static final ThreadLocal<String> CURRENT_NETID = new ThreadLocal<>();

  /**
   * @param cached per program, the procedures whose replies {@code drc} keeps
   * @param netid "tcp" or "udp": the transport this table's chain serves
   */
  ProgramTable(Map<OncRpcProgram, RpcDispatchable> programs, Map<OncRpcProgram, IntPredicate> cached, DuplicateRequestCache drc,
               Clock clock, int maxPending, RpcCounters counters, String netid) {
    this.netid = netid;
    this.programs = Map.copyOf(programs);
    this.cached = Map.copyOf(cached);
    this.drc = drc;
    this.clock = clock;
    this.maxPending = maxPending;
    this.counters = counters;
    for (OncRpcProgram p : programs.keySet()) {
      versions.merge(p.getNumber(), new int[] {p.getVersion(), p.getVersion()},
          (a, b) -> new int[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
  }

  @Override public Set<Entry<OncRpcProgram, RpcDispatchable>> entrySet() { return programs.entrySet(); }

  @Override public RpcDispatchable get(Object key) {
    if (!(key instanceof OncRpcProgram p)) return null;
    RpcDispatchable d = programs.get(p);
    if (d != null) {
      IntPredicate c = cached.get(p);
      return call -> dispatch(d, c, call);
    }
    int[] range = versions.get(p.getNumber());
    if (range != null) {
      return call -> {
        counters.inc(RpcStat.PROG_MISMATCH);
        call.failProgramMismatch(range[0], range[1]);
      };
    }
    return call -> {
      counters.inc(RpcStat.PROG_UNAVAIL);
      call.failProgramUnavailable();
    };
  }

  private void dispatch(RpcDispatchable d, IntPredicate cachedProcs, RpcCall call) throws OncRpcException, IOException {
    SocketAddress peer = call.getTransport().getRemoteSocketAddress();
    AtomicInteger n = pending.computeIfAbsent(peer, k -> new AtomicInteger());
    if (n.incrementAndGet() > maxPending) {
      n.decrementAndGet();
      counters.inc(RpcStat.PENDING_LIMIT_DROPS);
      return;
    }
    CURRENT_NETID.set(netid);
    ReplyCapture capture = null;
    try {
      DrcKey key = cachedProcs != null && cachedProcs.test(call.getProcedure()) ? DrcKey.of(call) : null;
      if (key != null) {
        DuplicateRequestCache.Lookup l = drc.begin(key, clock.nanos());
        if (l instanceof DuplicateRequestCache.Lookup.Replay r) {
          replay(call, r.reply());
          return;
        }
        if (l instanceof DuplicateRequestCache.Lookup.InProgress) return;
        if (l instanceof DuplicateRequestCache.Lookup.Miss) {
          capture = new ReplyCapture(call.getTransport(), drc, key, clock);
          call = capture.wrap(call);
        }
      }
      counters.inc(RpcStat.CALLS);
      d.dispatchOncRpcCall(call);
    } catch (RuntimeException e) {
      counters.inc(RpcStat.SYSTEM_ERRORS);
      throw e;
    } finally {
      if (capture != null) capture.finish();
      CURRENT_NETID.remove();
      if (n.decrementAndGet() == 0) pending.remove(peer, n);
    }
  }

  /** Sends a stored reply again, as it was: the xid in it is the retransmission's. */
  private static void replay(RpcCall call, byte[] reply) {
    call.getTransport().send(new Xdr(reply.clone()), null, new CompletionHandler<Integer, Object>() {
      @Override public void completed(Integer n, Object a) { }

      @Override public void failed(Throwable t, Object a) { }                // as any reply: the client retransmits
    });
  }

  /** The netid of the call this thread is dispatching, or null outside a dispatch. */
  static String currentNetid() { return CURRENT_NETID.get(); }
}
