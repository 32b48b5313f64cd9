package io.tapnfs.nfs.mount;

import io.tapnfs.nfs.mount.MountXdr.ExportNode;
import io.tapnfs.nfs.mount.MountXdr.Fhstatus;
import io.tapnfs.nfs.mount.MountXdr.MountBody;
import io.tapnfs.nfs.mount.MountXdr.Mountres3;
import io.tapnfs.nfs.vfs.AccessPolicy;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.Export;
import io.tapnfs.nfs.vfs.Exports;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.FileType;
import io.tapnfs.nfs.vfs.Subject;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.nfs.vfs.VfsException;
import io.tapnfs.rpc.GarbageArgsException;
import io.tapnfs.rpc.RpcCaller;
import io.tapnfs.rpc.XdrChecks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import org.dcache.oncrpc4j.rpc.RpcCall;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;
import org.dcache.oncrpc4j.xdr.XdrVoid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MOUNT program, 100005 (RFC 1813 Appendix I for version 3; RFC 1094 Appendix A for 1 and 2,
 * whose NULL, DUMP, UMNT, UMNTALL and EXPORT are the same on the wire).
 *
 * <pre>
 *   RpcServer.on(stack).program(MountProgram.PROGRAM, 1, mount).program(MountProgram.PROGRAM, 2, mount)
 *       .program(MountProgram.PROGRAM, 3, mount).tcp(20048).udp(20048).registry(rpcbind).start();
 * </pre>
 *
 * <ul>
 * <li>MNT: the path is looked up among the exports, exactly or (as knfsd allows) as a directory
 *     below one, the longest export path winning; {@link AccessPolicy#admit} decides whether the
 *     caller may use it; the lookups below the export root run as the caller squashed by the
 *     export (AUTH_NONE: the anonymous id), component by component, following no symlink
 *     (knfsd's mountd runs realpath(3) as root; we do not resolve on the client's behalf).
 *     Answers: MNT3ERR_NAMETOOLONG for a dirpath over MNTPATHLEN (1024) bytes or a component
 *     over MNTNAMLEN (255); MNT3ERR_NOENT for a path no export covers, one that is not UTF-8,
 *     relative, or has "." or ".." components; MNT3ERR_ACCES for a caller the policy refuses
 *     (no client rule of the export matches it, or a {@code secure} one and a source port of
 *     1024 or above: mountd's "illegal port" is ACCES too); MNT3ERR_NOTDIR when it names
 *     neither a directory nor a regular file (knfsd's rule); the Vfs's error otherwise. On
 *     success the handle and auth_flavors [AUTH_SYS].
 * <li>MNT over versions 1 and 2 runs the same checks but refuses with EACCES what would succeed:
 *     it asks for an NFSv2 handle and we serve no NFSv2. Versions 1 and 2 are there for
 *     showmount, which asks DUMP and EXPORT over version 1.
 * <li>DUMP lists (client address, path) pairs from MNT, see {@link MountList}; at most
 *     {@code maxMounts}, oldest dropped. UMNT removes one unless the policy refuses the caller
 *     for the export covering the path, as mountd (a dirpath over MNTPATHLEN is GARBAGE_ARGS:
 *     UMNT has no status to say NAMETOOLONG), UMNTALL all of the caller's.
 * <li>EXPORT (and v1/v2 EXPORTALL) lists every export with its clients as written ("*",
 *     "10.0.0.5", "10.0.0.0/24"), to anyone, as knfsd does; an export not from an
 *     {@link ExportTable} lists no groups (showmount prints "(everyone)").
 * <li>v2 PATHCONF (7) and anything else: PROC_UNAVAIL.
 * </ul>
 *
 * <p>Concurrency: calls run on the RPC worker pool. {@link Exports} is immutable, the mount list
 * has its own lock (never held while replying), counters are atomic.
 */
public final class MountProgram implements RpcDispatchable {
  /** RFC 1813 Appendix I: MOUNT_PROGRAM = 100005, MOUNT_V3 = 3; versions 1 and 2: RFC 1094. */
  public static final int PROGRAM = 100005;
  public static final int MIN_VERSION = 1, MAX_VERSION = 3;
  public static final int DEFAULT_MAX_MOUNTS = 1024;
  static final int NULL = 0, MNT = 1, DUMP = 2, UMNT = 3, UMNTALL = 4, EXPORT = 5, EXPORTALL = 6;
  /** errno EACCES, MOUNT v1 fhs_status for a refused MNT. */
  static final int V1_EACCES = 13, V1_EIO = 5;

  private static final Logger LOG = LoggerFactory.getLogger(MountProgram.class);

  private final Exports exports;
  private final MountList mounts;
  private final AtomicLongArray counters = new AtomicLongArray(MountStat.values().length);

  public MountProgram(Exports exports) { this(exports, DEFAULT_MAX_MOUNTS); }

  /** @param maxMounts the cap of the DUMP list (at least 1) */
  public MountProgram(Exports exports, int maxMounts) {
    this.exports = Objects.requireNonNull(exports, "exports");
    this.mounts = new MountList(maxMounts);
  }

  /** Counters by {@link MountStat} name in camelCase ("mntCalls", "mntAcces", ...). */
  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (MountStat s : MountStat.values()) m.put(io.tapnfs.netstack.Counters.camel(s.name()), counters.get(s.ordinal()));
    return m;
  }

  public long counter(MountStat s) { return counters.get(s.ordinal()); }

  /** What DUMP would answer now, oldest first. */
  public List<MountBody> mounts() { return mounts.snapshot(); }

  private void inc(MountStat s) { counters.incrementAndGet(s.ordinal()); }

  @Override public void dispatchOncRpcCall(RpcCall call) {
    inc(MountStat.CALLS);
    if (call.getProgram() != PROGRAM) {
      inc(MountStat.PROG_UNAVAIL);
      call.failProgramUnavailable();
      return;
    }
    int version = call.getProgramVersion();
    if (version < MIN_VERSION || version > MAX_VERSION) {
      inc(MountStat.PROG_MISMATCH);
      call.failProgramMismatch(MIN_VERSION, MAX_VERSION);   // RFC 5531 §9
      return;
    }
    int proc = call.getProcedure();
    try {
      switch (proc) {
        case NULL -> {
          inc(MountStat.NULL_CALLS);
          retrieve(call, XdrVoid.XDR_VOID);
          call.reply(XdrVoid.XDR_VOID);
        }
        case MNT -> mnt(call, version);
        case DUMP -> {
          inc(MountStat.DUMP_CALLS);
          retrieve(call, XdrVoid.XDR_VOID);
          List<MountBody> l = mounts.snapshot();
          call.reply((MountXdr.Encoder) x -> MountXdr.encodeMountList(x, l));
        }
        case UMNT -> umnt(call);
        case UMNTALL -> {
          inc(MountStat.UMNTALL_CALLS);
          retrieve(call, XdrVoid.XDR_VOID);
          int n = mounts.removeHost(host(call));
          LOG.debug("UMNTALL from {}: {} entries", host(call), n);
          call.reply(XdrVoid.XDR_VOID);
        }
        case EXPORT -> export(call);
        case EXPORTALL -> {
          if (version == 3) unavailable(call);   // MOUNT v3 has no procedure 6
          else export(call);
        }
        default -> unavailable(call);
      }
    } catch (IOException e) {
      // Only argument decoding throws (see retrieve): RFC 5531 §9 GARBAGE_ARGS, "procedure can't
      // decode params". A RuntimeException elsewhere is a server fault: RpcServer counts it.
      inc(MountStat.GARBAGE_ARGS);
      LOG.debug("garbage arguments for MOUNT v{} proc {} from {}: {}", version, Integer.toUnsignedString(proc),
          call.getTransport().getRemoteSocketAddress(), e.toString());
      call.failRpcGarbage();
    }
  }

  /**
   * Decodes the arguments: oncrpc4j's BadXdrOncRpcException on a short message, ours on a length,
   * and any RuntimeException of a decoder all become {@link GarbageArgsException}.
   */
  private static void retrieve(RpcCall call, org.dcache.oncrpc4j.xdr.XdrAble args) throws IOException {
    try {
      call.retrieveCall(args);
    } catch (RuntimeException e) {
      throw new GarbageArgsException("arguments: " + e);
    }
  }

  private void unavailable(RpcCall call) {
    inc(MountStat.PROC_UNAVAIL);
    call.failProcedureUnavailable();
  }

  private void export(RpcCall call) throws IOException {
    inc(MountStat.EXPORT_CALLS);
    retrieve(call, XdrVoid.XDR_VOID);
    List<ExportNode> l = new ArrayList<>();
    for (Export e : exports.all()) {
      l.add(new ExportNode(e.path(), e instanceof ExportTable.RuleExport r ? r.groups() : List.of()));
    }
    call.reply((MountXdr.Encoder) x -> MountXdr.encodeExports(x, l));
  }

  /** A dirpath argument: its bytes, or null when longer than MNTPATHLEN (body left unread). */
  private static byte[] dirpath(RpcCall call) throws IOException {
    MountXdr.Decoded<byte[]> arg = new MountXdr.Decoded<>(MountProgram::decodeDirpath);
    retrieve(call, arg);
    return arg.value() == null || arg.value().length > MountXdr.MNTPATHLEN ? null : arg.value();
  }

  private static final byte[] TOO_LONG = new byte[MountXdr.MNTPATHLEN + 1];

  private static byte[] decodeDirpath(XdrDecodingStream x) throws IOException {
    int len = x.xdrDecodeInt();
    long padded = ((len & 0xffffffffL) + 3) & ~3L;
    if (padded > XdrChecks.remaining(x)) throw new GarbageArgsException("dirpath of " + (len & 0xffffffffL) + " bytes, past the message");
    if (len > MountXdr.MNTPATHLEN || len < 0) return TOO_LONG;   // never allocated: the marker
    byte[] b = new byte[len];
    x.xdrDecodeOpaque(b, 0, len);
    return b;
  }

  private void mnt(RpcCall call, int version) throws IOException {
    inc(MountStat.MNT_CALLS);
    byte[] raw = dirpath(call);
    RpcCaller caller = RpcCaller.of(call);
    String host = host(call);
    Result r = raw == null ? new Result(Mountstat3.MNT3ERR_NAMETOOLONG, "?", "dirpath longer than " + MountXdr.MNTPATHLEN + " bytes")
        : resolve(caller, raw);
    count(r.status());
    if (version < 3) {
      // fhs_status is an errno: NOTSUPP and SERVERFAULT (NFSv3-only codes) become EIO
      int status = r.status() == Mountstat3.MNT3_OK ? V1_EACCES : r.status().code() >= 10000 ? V1_EIO : r.status().code();
      if (r.status() == Mountstat3.MNT3_OK) inc(MountStat.MNT_V1_REFUSED);
      LOG.info("MNT v{} {} from {}: refused (errno {}): {}", version, r.path(), host, status,
          r.status() == Mountstat3.MNT3_OK ? "we serve no NFSv2" : r.why());
      call.reply((MountXdr.Encoder) x -> new Fhstatus(status, null).encode(x));
      return;
    }
    if (r.status() != Mountstat3.MNT3_OK) {
      LOG.info("MNT {} from {}: {}: {}", r.path(), host, r.status(), r.why());
      call.reply((MountXdr.Encoder) x -> Mountres3.error(r.status()).encode(x));
      return;
    }
    if (mounts.add(new MountBody(host, r.path())) > 0) inc(MountStat.MOUNTS_DROPPED);
    LOG.info("MNT {} from {}: ok", r.path(), host);
    Mountres3 ok = new Mountres3(Mountstat3.MNT3_OK, r.fh().bytes(), new int[] {MountXdr.AUTH_SYS});
    call.reply((MountXdr.Encoder) ok::encode);
  }

  private void count(Mountstat3 s) {
    inc(switch (s) {
      case MNT3_OK -> MountStat.MNT_OK;
      case MNT3ERR_NOENT -> MountStat.MNT_NOENT;
      case MNT3ERR_ACCES -> MountStat.MNT_ACCES;
      case MNT3ERR_NAMETOOLONG -> MountStat.MNT_NAMETOOLONG;
      case MNT3ERR_NOTDIR -> MountStat.MNT_NOTDIR;
      default -> MountStat.MNT_OTHER_ERROR;
    });
  }

  /** MNT's answer before encoding: a status, the handle on success, and why for the log. */
  record Result(Mountstat3 status, Fh fh, String path, String why) {
    Result(Mountstat3 status, String path, String why) { this(status, null, path, why); }
  }

  /** The MNT decision for {@code raw} (at most MNTPATHLEN bytes) asked by {@code caller}. */
  Result resolve(RpcCaller caller, byte[] raw) {
    String path;
    try {
      path = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    } catch (CharacterCodingException e) {
      return new Result(Mountstat3.MNT3ERR_NOENT, "?", "path is not UTF-8");
    }
    if (!path.startsWith("/") || path.indexOf('\0') >= 0) return new Result(Mountstat3.MNT3ERR_NOENT, path, "not an absolute path");
    List<String> parts = new ArrayList<>();
    for (String c : path.split("/")) {
      if (c.isEmpty()) continue;
      if (c.equals(".") || c.equals("..")) return new Result(Mountstat3.MNT3ERR_NOENT, path, "'" + c + "' components are not resolved");
      if (c.getBytes(StandardCharsets.UTF_8).length > MountXdr.MNTNAMLEN)
        return new Result(Mountstat3.MNT3ERR_NAMETOOLONG, path, "a component longer than " + MountXdr.MNTNAMLEN + " bytes");
      parts.add(c);
    }
    String norm = "/" + String.join("/", parts);
    Export export = covering(norm);
    if (export == null) return new Result(Mountstat3.MNT3ERR_NOENT, norm, "no export covers it");
    Subject who;
    try {
      who = AccessPolicy.admit(export, caller).who();
    } catch (AccessPolicy.Refused r) {
      if (r.reason() == AccessPolicy.Refusal.INSECURE_PORT) inc(MountStat.MNT_INSECURE_PORT);
      return new Result(Mountstat3.MNT3ERR_ACCES, norm, r.getMessage());   // mountd: auth_authenticate failed
    }
    Vfs vfs = export.vfs();
    try {
      Fh fh = vfs.root();
      int below = components(export.path());
      for (String c : parts.subList(below, parts.size())) fh = vfs.lookup(fh, c, who);
      Attr a = vfs.getattr(fh);
      if (a.type() != FileType.DIR && a.type() != FileType.REG)
        return new Result(Mountstat3.MNT3ERR_NOTDIR, norm, "a " + a.type() + ", not a directory");
      return new Result(Mountstat3.MNT3_OK, fh, norm, "");
    } catch (VfsException e) {
      return new Result(Mountstat3.of(e.errno()), norm, e.getMessage());
    }
  }

  /** How many components a (normalized) export path has: "/" 0, "/srv/a" 2. */
  private static int components(String exportPath) {
    String p = mountKey(exportPath);
    return p.equals("/") ? 0 : (int) p.chars().filter(c -> c == '/').count();
  }

  /** The export whose path is {@code path} or its longest ancestor, or null. */
  private Export covering(String path) {
    Export exact = exports.byPath(path);
    if (exact != null) return exact;
    Export best = null;
    for (Export e : exports.all()) {
      String p = mountKey(e.path());
      boolean under = p.equals("/") || path.startsWith(p + "/");
      if (under && (best == null || p.length() > mountKey(best.path()).length())) best = e;
    }
    return best;
  }

  private void umnt(RpcCall call) throws IOException {
    inc(MountStat.UMNT_CALLS);
    MountXdr.Decoded<String> arg = new MountXdr.Decoded<>(x -> MountXdr.string(x, MountXdr.MNTPATHLEN));
    retrieve(call, arg);
    String host = host(call), path = mountKey(arg.value());
    Export export = covering(path);
    try {
      if (export != null) AccessPolicy.admit(export, RpcCaller.of(call));
      if (!mounts.remove(new MountBody(host, path))) inc(MountStat.UMNT_NOT_MOUNTED);
      LOG.debug("UMNT {} from {}", arg.value(), host);
    } catch (AccessPolicy.Refused r) {
      inc(MountStat.UMNT_REFUSED);
      LOG.info("UMNT {} from {}: refused: {}", arg.value(), host, r.getMessage());
    }
    call.reply(XdrVoid.XDR_VOID);
  }

  /** The path as the mount list keys it (MNT's normalization; anything else stays as sent). */
  private static String mountKey(String p) {
    try {
      return ExportsFile.normalizePath(p);
    } catch (IllegalArgumentException e) {
      return p;
    }
  }

  /** The mount list's name for the caller: its address as a string (we resolve no names). */
  private static String host(RpcCall call) {
    return call.getTransport().getRemoteSocketAddress().getAddress().getHostAddress();
  }

}
