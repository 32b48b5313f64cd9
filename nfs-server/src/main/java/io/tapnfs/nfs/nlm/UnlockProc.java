package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.lock.LockManager;
import io.tapnfs.nfs.lock.LockOwner;
import io.tapnfs.nfs.lock.LockRange;
import io.tapnfs.nfs.lock.LockType;
import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import io.tapnfs.nfs.nlm.xdr.NlmUnlockargs;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * UNLOCK and UNLOCK_MSG (XNFS NLM_UNLOCK): the owner's locks in the range go (split where they
 * straddle it) and the waiters that can go are granted. As Linux's {@code nlmsvc_unlock}, a
 * request of the owner still waiting for exactly this range is cancelled first, and a GRANTED
 * callback pending for it is dropped. Unlocking what is not held is GRANTED (XNFS: "may also
 * return this code ... if there is no matching lock"; POSIX unlock alike), counted by the lock
 * manager. Not refused in the grace period (Linux refuses): an unlock frees, it takes nothing.
 */
final class UnlockProc implements NlmProc<NlmUnlockargs> {
  @Override public NlmUnlockargs decode(XdrDecodingStream in, int version) throws IOException { return NlmUnlockargs.decode(in, version); }

  @Override public NlmType run(NlmCx cx, NlmUnlockargs a) throws NlmException {
    FileKey f = cx.file(a.alock().fh());
    LockRange r = cx.range(a.alock());
    LockOwner o = cx.owner(a.alock());
    for (LockType t : LockType.values()) LockManager.notify(cx.nlm.locks.cancel(f, o, r, t).woken());
    if (cx.nlm.callbacks.dropLock(f, o, r)) cx.nlm.count(NlmStat.GRANTED_SUPERSEDED);
    LockManager.notify(cx.nlm.locks.unlock(f, o, r));
    return new NlmRes(a.cookie(), NlmStats.GRANTED);
  }

  @Override public NlmType fail(NlmUnlockargs a, NlmStats status) { return new NlmRes(a.cookie(), status); }
}
