package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfs3Res;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.vfs.AccessPolicy;
import io.tapnfs.nfs.vfs.Errno;
import io.tapnfs.nfs.vfs.Exports;
import io.tapnfs.nfs.vfs.VfsException;
import io.tapnfs.rpc.RpcCaller;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
 * NFS version 3 (RFC 1813), program 100003 version 3, over the {@link Exports}: serve it with
 * {@code RpcServer.on(stack).program(Nfs3Program.PROGRAM, Nfs3Program.VERSION, nfs, Nfs3Program::cachesReply)},
 * so that the RPC server's duplicate-request cache answers retransmitted non-idempotent calls.
 *
 * <p>Each procedure is one class ({@link Nfs3Proc}); this class decodes, runs and answers:
 * <ul>
 * <li>Arguments that do not decode (a length past the message, a bad enum or bool, WRITE's count
 *     differing from its data length): GARBAGE_ARGS (RFC 5531 §9), counted.
 * <li>{@link VfsException}: the nfsstat3 of the same name ({@link Nfsstat3#of(Errno)}).
 * <li>{@link NfsStatusException}: its status (handles, export access, read-only, names, guards);
 *     calls a {@code secure} export refuses for their source port are also counted apart.
 * <li>Any other {@link RuntimeException}: NFS3ERR_SERVERFAULT, logged at ERROR; never escapes.
 * </ul>
 * Every failure is answered with the procedure's failure arm, attributes filled where they can be
 * read. Logging by blame: our faults ERROR, I/O trouble WARN, client errors DEBUG.
 *
 * <p>Concurrency: calls run on RpcServer's worker threads at once. This class keeps no state but
 * its counters (atomic); each call gets its own {@link CallCx}. The VFS is thread-safe.
 */
public final class Nfs3Program implements RpcDispatchable {
  /** RFC 1813 §3: NFS_PROGRAM 100003, NFS_V3 3; served on port 2049 by convention. */
  public static final int PROGRAM = 100003, VERSION = 3, PORT = 2049;

  private static final Logger LOG = LoggerFactory.getLogger(Nfs3Program.class);

  private final Exports exports;
  private final Nfs3Config config;
  private final Nfs3Proc<?>[] procs = new Nfs3Proc<?>[Nfs3Procedure.values().length];
  private final AtomicLongArray calls = new AtomicLongArray(Nfs3Procedure.values().length);
  private final AtomicLongArray errors = new AtomicLongArray(Nfsstat3.values().length);
  private final AtomicLongArray other = new AtomicLongArray(3);
  private static final int GARBAGE_ARGS = 0, PROC_UNAVAIL = 1, INSECURE_PORT = 2;

  public Nfs3Program(Exports exports) { this(exports, Nfs3Config.defaults()); }

  public Nfs3Program(Exports exports, Nfs3Config config) {
    this.exports = Objects.requireNonNull(exports, "exports");
    this.config = Objects.requireNonNull(config, "config");
    procs[Nfs3Procedure.GETATTR.ordinal()] = new Getattr3();
    procs[Nfs3Procedure.SETATTR.ordinal()] = new Setattr3();
    procs[Nfs3Procedure.LOOKUP.ordinal()] = new Lookup3();
    procs[Nfs3Procedure.ACCESS.ordinal()] = new Access3();
    procs[Nfs3Procedure.READLINK.ordinal()] = new Readlink3();
    procs[Nfs3Procedure.READ.ordinal()] = new Read3();
    procs[Nfs3Procedure.WRITE.ordinal()] = new Write3();
    procs[Nfs3Procedure.CREATE.ordinal()] = new Create3();
    procs[Nfs3Procedure.MKDIR.ordinal()] = new Mkdir3();
    procs[Nfs3Procedure.SYMLINK.ordinal()] = new Symlink3();
    procs[Nfs3Procedure.MKNOD.ordinal()] = new Mknod3();
    procs[Nfs3Procedure.REMOVE.ordinal()] = new Remove3();
    procs[Nfs3Procedure.RMDIR.ordinal()] = new Rmdir3();
    procs[Nfs3Procedure.RENAME.ordinal()] = new Rename3();
    procs[Nfs3Procedure.LINK.ordinal()] = new Link3();
    procs[Nfs3Procedure.READDIR.ordinal()] = new Readdir3();
    procs[Nfs3Procedure.READDIRPLUS.ordinal()] = new Readdirplus3();
    procs[Nfs3Procedure.FSSTAT.ordinal()] = new Fsstat3();
    procs[Nfs3Procedure.FSINFO.ordinal()] = new Fsinfo3();
    procs[Nfs3Procedure.PATHCONF.ordinal()] = new Pathconf3();
    procs[Nfs3Procedure.COMMIT.ordinal()] = new Commit3();
  }

  public Nfs3Config config() { return config; }

  /** For the RPC server's duplicate-request cache: {@link Nfs3Procedure#cachesReply()} by number. */
  public static boolean cachesReply(int procedure) {
    Nfs3Procedure p = Nfs3Procedure.of(procedure);
    return p != null && p.cachesReply();
  }

  @Override public void dispatchOncRpcCall(RpcCall call) {
    Nfs3Procedure p = Nfs3Procedure.of(call.getProcedure());
    if (p == null) {
      other.incrementAndGet(PROC_UNAVAIL);
      call.failProcedureUnavailable();
      return;
    }
    calls.incrementAndGet(p.ordinal());
    if (p == Nfs3Procedure.NULL) {
      // §3.3.0: "does no work"; its void argument still has to be read.
      try {
        call.retrieveCall(XdrVoid.XDR_VOID);
      } catch (IOException e) {
        garbage(call, p, e);
        return;
      }
      call.reply(XdrVoid.XDR_VOID);
      return;
    }
    serve(call, p, procs[p.ordinal()]);
  }

  private <A> void serve(RpcCall call, Nfs3Procedure p, Nfs3Proc<A> proc) {
    Args<A> args = new Args<>(proc);
    try {
      call.retrieveCall(args);
    } catch (IOException e) {
      garbage(call, p, e);
      return;
    }
    CallCx cx = new CallCx(exports, RpcCaller.of(call), config);
    Nfs3Res res;
    try {
      res = answer(call, p, proc, cx, args.value);
    } catch (RuntimeException e) {
      // Only a failure arm that cannot be built gets here (CallCx's attribute reads never throw).
      LOG.error("{}: building the failure arm failed", p, e);
      errors.incrementAndGet(Nfsstat3.SERVERFAULT.ordinal());
      call.failRpcSystem();
      return;
    }
    if (res.status() != Nfsstat3.OK) errors.incrementAndGet(res.status().ordinal());
    if (cx.refusal() == AccessPolicy.Refusal.INSECURE_PORT) other.incrementAndGet(INSECURE_PORT);
    try {
      call.reply(res);
    } catch (RuntimeException e) {
      LOG.error("{}: encoding the reply failed", p, e);
      errors.incrementAndGet(Nfsstat3.SERVERFAULT.ordinal());
      call.failRpcSystem();
    }
  }

  /** Runs {@code proc}; every exception it throws becomes its failure arm. */
  private <A> Nfs3Res answer(RpcCall call, Nfs3Procedure p, Nfs3Proc<A> proc, CallCx cx, A args) {
    try {
      return proc.run(cx, args);
    } catch (VfsException e) {
      if (e.errno() == Errno.SERVERFAULT || e.errno() == Errno.IO) {
        LOG.warn("{} from {}: {}", p, call.getTransport().getRemoteSocketAddress(), e.getMessage(), e.getCause());
      } else {
        LOG.debug("{}: {}", p, e.getMessage());
      }
      return proc.fail(cx, args, Nfsstat3.of(e.errno()));
    } catch (NfsStatusException e) {
      LOG.debug("{}: {}", p, e.getMessage());
      return proc.fail(cx, args, e.status());
    } catch (RuntimeException e) {
      LOG.error("{} from {} failed", p, call.getTransport().getRemoteSocketAddress(), e);
      return proc.fail(cx, args, Nfsstat3.SERVERFAULT);
    }
  }

  private void garbage(RpcCall call, Nfs3Procedure p, IOException e) {
    other.incrementAndGet(GARBAGE_ARGS);
    LOG.debug("{} from {}: garbage arguments: {}", p, call.getTransport().getRemoteSocketAddress(), e.getMessage());
    call.failRpcGarbage();
  }

  /** Calls of {@code p} received (including those answered GARBAGE_ARGS). */
  public long calls(Nfs3Procedure p) { return calls.get(p.ordinal()); }

  /** Replies with status {@code s} (never OK: successes are not counted apart from calls). */
  public long errors(Nfsstat3 s) { return errors.get(s.ordinal()); }

  public long garbageArgs() { return other.get(GARBAGE_ARGS); }

  public long procUnavail() { return other.get(PROC_UNAVAIL); }

  /** Calls refused because a {@code secure} export saw a source port of 1024 or above (answered PERM). */
  public long insecurePortRefused() { return other.get(INSECURE_PORT); }

  /**
   * Counters for {@code tapnfs stat}: "getattrCalls" ... "commitCalls", "noentErrors" ...
   * "jukeboxErrors", "garbageArgs", "procUnavail", "insecurePortRefused".
   */
  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Nfs3Procedure p : Nfs3Procedure.values()) m.put(p.name().toLowerCase(Locale.ROOT) + "Calls", calls(p));
    for (Nfsstat3 s : Nfsstat3.values()) if (s != Nfsstat3.OK) m.put(io.tapnfs.netstack.Counters.camel(s.name()) + "Errors", errors(s));
    m.put("garbageArgs", garbageArgs());
    m.put("procUnavail", procUnavail());
    m.put("insecurePortRefused", insecurePortRefused());
    return m;
  }


  /** The call's arguments as oncrpc4j's {@code retrieveCall} wants them: decode-only. */
  private static final class Args<A> implements XdrAble {
    private final Nfs3Proc<A> proc;
    A value;

    Args(Nfs3Proc<A> proc) { this.proc = proc; }

    @Override public void xdrDecode(XdrDecodingStream in) throws IOException { value = proc.decode(in); }

    @Override public void xdrEncode(XdrEncodingStream out) { throw new UnsupportedOperationException("arguments are decoded"); }
  }
}
