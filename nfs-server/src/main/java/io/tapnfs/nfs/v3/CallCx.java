package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.v3.xdr.Fh3;
import io.tapnfs.nfs.v3.xdr.NfsStatusException;
import io.tapnfs.nfs.v3.xdr.Nfsstat3;
import io.tapnfs.nfs.v3.xdr.PostOpAttr;
import io.tapnfs.nfs.v3.xdr.WccData;
import io.tapnfs.nfs.vfs.AccessPolicy;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.Export;
import io.tapnfs.nfs.vfs.Exports;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.Subject;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.rpc.RpcCaller;
import java.util.HashMap;
import java.util.Map;

/**
 * One call's context: who calls, and how the handles of the call resolve to an export, a VFS and
 * a subject (the per-call wrapping nfs4j's PseudoFs does). The accessors apply the export rules
 * of {@link AccessPolicy}: {@link #target} throws BADHANDLE / STALE / ACCES, {@link #writable}
 * also ROFS.
 * Confined to the thread running the call.
 */
final class CallCx {
  /** A resolved handle: its export, file system, the caller as the export sees them. */
  record Target(Export export, Vfs vfs, Fh fh, Subject who, boolean readOnly) {}

  private final Exports exports;
  private final RpcCaller caller;
  private final Nfs3Config config;
  private final Map<Fh, Target> targets = new HashMap<>(4);
  private final Map<Fh, Attr> preOp = new HashMap<>(4);
  private AccessPolicy.Refusal refusal;

  CallCx(Exports exports, RpcCaller caller, Nfs3Config config) {
    this.exports = exports;
    this.caller = caller;
    this.config = config;
  }

  Nfs3Config config() { return config; }

  /** Why the policy first refused the caller in this call, or null: for the counters. */
  AccessPolicy.Refusal refusal() { return refusal; }

  /**
   * The export, VFS and subject of {@code h}. BADHANDLE: not a handle (0 or over 64 bytes).
   * STALE: no export knows it (an export removed, or a handle from before a change of exports;
   * knfsd answers an unknown export with nfserr_stale as well). Then {@link AccessPolicy#admit}:
   * PERM from a port of 1024 or above on a {@code secure} export (knfsd's nfserr_perm), ACCES
   * when the export does not admit the caller otherwise (RFC 1813 §2.6 NFS3ERR_ACCES); the
   * subject and read-only are the policy's.
   */
  Target target(Fh3 h) throws NfsStatusException {
    Fh fh = h.require();
    Target t = targets.get(fh);
    if (t != null) return t;
    Export e = exports.byHandle(fh);
    if (e == null) throw new NfsStatusException(Nfsstat3.STALE, "no export knows handle " + fh);
    AccessPolicy.Grant g;
    try {
      g = AccessPolicy.admit(e, caller);
    } catch (AccessPolicy.Refused r) {
      if (refusal == null) refusal = r.reason();
      throw new NfsStatusException(r.reason() == AccessPolicy.Refusal.INSECURE_PORT ? Nfsstat3.PERM : Nfsstat3.ACCES, r.getMessage());
    }
    t = new Target(e, e.vfs(), fh, g.who(), g.readOnly());
    targets.put(fh, t);
    return t;
  }

  /** {@link #target}, for a procedure that changes the file system: ROFS on a read-only export or client. */
  Target writable(Fh3 h) throws NfsStatusException {
    Target t = target(h);
    if (t.readOnly()) throw new NfsStatusException(Nfsstat3.ROFS, "export " + t.export().path() + " is read-only here");
    return t;
  }

  /** The attributes of {@code t} before an operation, remembered for the failure arm's wcc_data. */
  Attr pre(Target t) throws io.tapnfs.nfs.vfs.VfsException {
    Attr a = t.vfs().getattr(t.fh());
    preOp.put(t.fh(), a);
    return a;
  }

  /** Current attributes of {@code fh} in {@code vfs}, or none if they cannot be had. */
  static PostOpAttr post(Vfs vfs, Fh fh) {
    if (fh == null) return PostOpAttr.NONE;
    try {
      return new PostOpAttr(vfs.getattr(fh));
    } catch (Exception e) {
      return PostOpAttr.NONE;
    }
  }

  PostOpAttr post(Target t) { return post(t.vfs(), t.fh()); }

  /** Post-op attributes of a handle for a failure arm: none if it does not resolve or the caller may not see it. */
  PostOpAttr post(Fh3 h) {
    try {
      return post(target(h));
    } catch (NfsStatusException | RuntimeException e) {
      return PostOpAttr.NONE;
    }
  }

  /** wcc_data after an operation on {@code t}: {@code before} and the attributes now. */
  WccData wcc(Target t, Attr before) { return new WccData(new io.tapnfs.nfs.v3.xdr.PreOpAttr(before), post(t)); }

  /** wcc_data for a failure arm: the pre-op attributes if taken, and the attributes now. */
  WccData wcc(Fh3 h) {
    Attr before = h.valid() ? preOp.get(h.fh()) : null;
    return new WccData(new io.tapnfs.nfs.v3.xdr.PreOpAttr(before), post(h));
  }
}
