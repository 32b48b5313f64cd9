package io.tapnfs.rpc;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.dcache.oncrpc4j.rpc.OncRpcException;
import org.dcache.oncrpc4j.rpc.OncRpcProgram;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;

/**
 * The programs a server serves, as the map oncrpc4j's {@code RpcDispatcher} looks calls up in.
 * Its lookup never fails: a program we serve at another version gets PROG_MISMATCH with the
 * versions we have (RFC 5531 §9, where oncrpc4j alone would answer PROG_UNAVAIL), an unknown
 * program PROG_UNAVAIL, each counted. Calls are also bounded per connection: past
 * {@code maxPending} calls in progress from one peer, a call is dropped and counted (an RPC
 * server may drop; the client retransmits), so one client cannot queue unbounded work.
 */
final class ProgramTable extends AbstractMap<OncRpcProgram, RpcDispatchable> {
  private final Map<OncRpcProgram, RpcDispatchable> programs;
  private final Map<Integer, int[]> versions = new ConcurrentHashMap<>();
  private final Map<SocketAddress, AtomicInteger> pending = new ConcurrentHashMap<>();
  private final int maxPending;
  private final RpcCounters counters;
  private final String netid;
  private static final ThreadLocal<String> CURRENT_NETID = new ThreadLocal<>();

  /** @param netid "tcp" or "udp": the transport this table's chain serves */
  ProgramTable(Map<OncRpcProgram, RpcDispatchable> programs, int maxPending, RpcCounters counters, String netid) {
    this.netid = netid;
    this.programs = Map.copyOf(programs);
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
    if (d != null) return call -> dispatch(d, call);
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

  private void dispatch(RpcDispatchable d, RpcCall call) throws OncRpcException, IOException {
    SocketAddress peer = call.getTransport().getRemoteSocketAddress();
    AtomicInteger n = pending.computeIfAbsent(peer, k -> new AtomicInteger());
    if (n.incrementAndGet() > maxPending) {
      n.decrementAndGet();
      counters.inc(RpcStat.PENDING_LIMIT_DROPS);
      return;
    }
    CURRENT_NETID.set(netid);
    try {
      counters.inc(RpcStat.CALLS);
      d.dispatchOncRpcCall(call);
    } catch (RuntimeException e) {
      counters.inc(RpcStat.SYSTEM_ERRORS);
      throw e;
    } finally {
      CURRENT_NETID.remove();
      if (n.decrementAndGet() == 0) pending.remove(peer, n);
    }
  }

  /** The netid of the call this thread is dispatching, or null outside a dispatch. */
  static String currentNetid() { return CURRENT_NETID.get(); }
}
