package io.tapnfs.nfs.nsm;

import io.tapnfs.portmap.xdr.XdrArgs;
import io.tapnfs.portmap.xdr.XdrReply;
import io.tapnfs.portmap.xdr.XdrType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.xdr.XdrVoid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status monitor's program, 100024 version 1 (X/Open XNFS; {@code sm_inter.x}), over an
 * {@link Nsm}:
 * <pre>
 *   RpcServer.on(stack).program(NsmProgram.PROGRAM, NsmProgram.VERSION, new NsmProgram(nsm))
 *       .tcp(32765).udp(32765).registry(rpcbind).start();
 * </pre>
 * <ul>
 * <li>SM_NULL (0): void.
 * <li>SM_STAT (1): stat_succ and our state ({@link Stat1}).
 * <li>SM_MON (2), SM_UNMON (3), SM_UNMON_ALL (4), SM_SIMU_CRASH (5): every call from the network
 *     is refused or ignored ({@link Mon1} ... {@link SimuCrash1}), as statd treats callers that are
 *     not on its loopback; NLM monitors through {@link Nsm#monitor}, a Java call.
 * <li>SM_NOTIFY (6): a client restarted ({@link Notify1}).
 * <li>Anything else: PROC_UNAVAIL. Arguments that do not decode (a name over SM_MAXSTRLEN, a
 *     message cut short): GARBAGE_ARGS. Both counted.
 * </ul>
 *
 * <p>Concurrency: calls run on the RPC server's workers; this class keeps nothing but what {@link
 * Nsm} keeps (thread-safe).
 */
public final class NsmProgram implements RpcDispatchable {
  /** sm_inter.x: SM_PROG 100024, SM_VERS 1; the procedures by number. */
  public static final int PROGRAM = 100024, VERSION = 1;
  public static final int SM_NULL = 0, SM_STAT = 1, SM_MON = 2, SM_UNMON = 3, SM_UNMON_ALL = 4, SM_SIMU_CRASH = 5, SM_NOTIFY = 6;
  /** The port tapnfs serves it on unless told otherwise: a fixed one, so that a firewall can let it through (rpc.statd --port). */
  public static final int DEFAULT_PORT = 32765;

  private static final Logger LOG = LoggerFactory.getLogger(NsmProgram.class);
  private static final NsmStat[] CALLS = {NsmStat.NULL_CALLS, NsmStat.STAT_CALLS, NsmStat.MON_CALLS, NsmStat.UNMON_CALLS,
      NsmStat.UNMON_ALL_CALLS, NsmStat.SIMU_CRASH_CALLS, NsmStat.NOTIFY_CALLS};

  private final Nsm nsm;
  private final NsmProc<?>[] procs = {null, new Stat1(), new Mon1(), new Unmon1(), new UnmonAll1(), new SimuCrash1(), new Notify1()};

  public NsmProgram(Nsm nsm) { this.nsm = Objects.requireNonNull(nsm, "nsm"); }

  @Override public void dispatchOncRpcCall(RpcCall call) {
    nsm.count(NsmStat.CALLS);
    int p = call.getProcedure();
    if (p < 0 || p >= CALLS.length) {
      nsm.count(NsmStat.PROC_UNAVAIL);
      call.failProcedureUnavailable();
      return;
    }
    nsm.count(CALLS[p]);
    if (p == SM_NULL) {
      try {
        call.retrieveCall(XdrVoid.XDR_VOID);
      } catch (IOException | RuntimeException e) {
        garbage(call, p, e);
        return;
      }
      call.reply(XdrVoid.XDR_VOID);
      return;
    }
    serve(call, p, procs[p]);
  }

  private <A> void serve(RpcCall call, int p, NsmProc<A> proc) {
    XdrArgs<A> args = XdrArgs.of(proc::decode);
    try {
      call.retrieveCall(args);
    } catch (IOException | RuntimeException e) {
      garbage(call, p, e);
      return;
    }
    InetSocketAddress from = call.getTransport().getRemoteSocketAddress();
    XdrType res = proc.run(nsm, from, args.value());
    call.reply(XdrReply.of(res));
  }

  private void garbage(RpcCall call, int p, Exception e) {
    nsm.count(NsmStat.GARBAGE_ARGS);
    LOG.debug("NSM procedure {} from {}: garbage arguments: {}", p, call.getTransport().getRemoteSocketAddress(), e.toString());
    call.failRpcGarbage();
  }
}
