package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.lock.LockOwner;
import io.tapnfs.nfs.lock.LockRange;
import io.tapnfs.nfs.nlm.xdr.NlmLock;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.vfs.AccessPolicy;
import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.Errno;
import io.tapnfs.nfs.vfs.Export;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.VfsException;
import io.tapnfs.rpc.RpcCaller;
import java.net.InetAddress;

/**
 * One call's context: the version, who calls and over what, the time, and how the arguments
 * resolve: the handle to a {@link FileKey} (the export must admit the caller as for an NFS call),
 * caller_name and address to the client, oh and svid to the owner. Confined to the call's thread.
 */
final class NlmCx {
  final NlmProgram nlm;
  final int version;
  final RpcCaller caller;
  final String netid;
  final long now;
  /** A _MSG call: a waiter it queues is told with GRANTED_MSG. */
  final boolean msg;
  private String client;

  NlmCx(NlmProgram nlm, int version, RpcCaller caller, String netid, long now, boolean msg) {
    this.nlm = nlm;
    this.version = version;
    this.caller = caller;
    this.netid = netid;
    this.now = now;
    this.msg = msg;
  }

  InetAddress address() { return caller.address().getAddress(); }

  /** The lock manager's client for {@code callerName} calling from here; see {@link NlmProgram#clientKey}. */
  String client(String callerName) {
    client = NlmProgram.clientKey(callerName, address());
    return client;
  }

  LockOwner owner(NlmLock l) { return new LockOwner(client(l.callerName()), NlmProgram.ownerBytes(l.svid(), l.oh())); }

  /** Where callbacks to this caller go: its address, this call's version and transport. */
  Callbacks.Target target() { return new Callbacks.Target(address(), version, netid, client == null ? "" : client); }

  /**
   * The file {@code fh} names, as the NFS server resolves it: a handle no export knows (or an
   * empty one) and a file that is gone are STALE_FH (versions 1 and 3: DENIED_NOLOCKS); a caller
   * the export refuses is DENIED, as knfsd's {@code nlm_fopen} answers anything but a stale
   * handle; another file-system failure is FAILED.
   */
  FileKey file(byte[] fh) throws NlmException {
    if (fh.length == 0) throw new NlmException(NlmStats.STALE_FH, NlmStat.STALE_HANDLES, "empty file handle");
    Fh h = new Fh(fh);
    Export e = nlm.exports.byHandle(h);
    if (e == null) throw new NlmException(NlmStats.STALE_FH, NlmStat.STALE_HANDLES, "no export knows handle " + h);
    try {
      AccessPolicy.admit(e, caller);
    } catch (AccessPolicy.Refused r) {
      throw new NlmException(NlmStats.DENIED, NlmStat.EXPORT_REFUSED, r.getMessage());
    }
    try {
      Attr a = e.vfs().getattr(h);
      return new FileKey(a.fsid(), a.fileid());
    } catch (VfsException x) {
      if (x.errno() == Errno.STALE || x.errno() == Errno.BADHANDLE || x.errno() == Errno.NOENT)
        throw new NlmException(NlmStats.STALE_FH, NlmStat.STALE_HANDLES, x.getMessage());
      throw new NlmException(NlmStats.FAILED, null, x.getMessage());
    }
  }

  /** The range of {@code l}; FAILED when offset plus length passes 2^64 (version 4 only). */
  LockRange range(NlmLock l) throws NlmException {
    LockRange r = l.range();
    if (r == null) {
      throw new NlmException(NlmStats.FAILED, NlmStat.BAD_RANGES,
          "l_offset " + Long.toUnsignedString(l.offset()) + " + l_len " + Long.toUnsignedString(l.length()) + " passes 2^64");
    }
    return r;
  }

  /**
   * The grace period's rule for a request that takes a lock or a share: during the grace period
   * only reclaims (XNFS: DENIED_GRACE_PERIOD); after it, no reclaim, as Linux's lockd refuses
   * ({@code nlmsvc_lock}): a lock given out after the grace period may have taken its place.
   */
  void grace(boolean reclaim, boolean refuseLateReclaim) throws NlmException {
    boolean in = nlm.grace.active(now);
    if (in && !reclaim) throw new NlmException(NlmStats.DENIED_GRACE_PERIOD, NlmStat.GRACE_REFUSED, "in the grace period");
    if (!in && reclaim && refuseLateReclaim)
      throw new NlmException(NlmStats.DENIED_GRACE_PERIOD, NlmStat.GRACE_REFUSED, "reclaim after the grace period");
  }
}
