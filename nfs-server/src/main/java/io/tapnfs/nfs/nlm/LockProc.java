package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.lock.LockManager;
import io.tapnfs.nfs.lock.LockManager.Result;
import io.tapnfs.nfs.lock.LockOwner;
import io.tapnfs.nfs.lock.LockRange;
import io.tapnfs.nfs.nlm.xdr.NlmLockargs;
import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * LOCK, LOCK_MSG and NM_LOCK (XNFS NLM_LOCK, NLM_NM_LOCK): the grace period's rule, the handle,
 * the range; then, for LOCK, the status monitor records the host before anything is granted
 * (NM_LOCK is the non-monitored lock: no record, so no recovery after a restart); then the lock
 * manager decides:
 * <ul>
 * <li>GRANTED, and any GRANTED callback still pending for exactly this lock is dropped: the
 *     client polled (Linux does every 30 s while it waits) and holds the lock from this answer;
 * <li>DENIED: another owner's lock is in the way and {@code block} is false;
 * <li>BLOCKED: queued; when the range comes free the server calls GRANTED (GRANTED_MSG for
 *     LOCK_MSG) back. The same request again renews the waiter;
 * <li>DENIED_NOLOCKS: a bound of the lock manager (counted there and as lockLimit).
 * </ul>
 */
final class LockProc implements NlmProc<NlmLockargs> {
  private final boolean monitored;

  /** @param monitored LOCK and LOCK_MSG; false for NM_LOCK */
  LockProc(boolean monitored) { this.monitored = monitored; }

  @Override public NlmLockargs decode(XdrDecodingStream in, int version) throws IOException { return NlmLockargs.decode(in, version); }

  @Override public NlmType run(NlmCx cx, NlmLockargs a) throws NlmException {
    cx.grace(a.reclaim(), true);
    FileKey f = cx.file(a.alock().fh());
    LockRange r = cx.range(a.alock());
    LockOwner o = cx.owner(a.alock());
    if (monitored) cx.nlm.monitor(cx, a.alock().callerName());
    NlmProgram.Waiting w = cx.nlm.waiting(cx.target(), a.alock(), a.exclusive(), cx.msg);
    Result res = cx.nlm.locks.lock(f, o, r, NlmProgram.type(a.exclusive()), a.block(), w, cx.now);
    if (res instanceof Result.Granted g) {
      if (cx.nlm.callbacks.dropLock(f, o, r)) cx.nlm.count(NlmStat.GRANTED_SUPERSEDED);
      LockManager.notify(g.woken());
      return new NlmRes(a.cookie(), NlmStats.GRANTED);
    }
    if (res instanceof Result.Denied) return new NlmRes(a.cookie(), NlmStats.DENIED);
    if (res instanceof Result.Blocked) return new NlmRes(a.cookie(), NlmStats.BLOCKED);
    throw new NlmException(NlmStats.DENIED_NOLOCKS, NlmStat.LOCK_LIMIT, "lock manager bound: " + ((Result.Refused) res).limit());
  }

  @Override public NlmType fail(NlmLockargs a, NlmStats status) { return new NlmRes(a.cookie(), status); }
}
