package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.lock.LockManager;
import io.tapnfs.nfs.lock.LockOwner;
import io.tapnfs.nfs.lock.LockRange;
import io.tapnfs.nfs.nlm.xdr.NlmCancargs;
import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * CANCEL and CANCEL_MSG (XNFS NLM_CANCEL): "cancels an outstanding blocked lock request"; "block,
 * exclusive and alock must exactly match" those of the LOCK. GRANTED when the waiter was there. If
 * it was not but the lock was just granted to it and the GRANTED callback has not been
 * answered yet (the client cancelled before it heard), the grant is taken back: callback dropped,
 * range unlocked, GRANTED. Otherwise DENIED ("possibly because there was no lock to cancel"; Linux
 * answers so since 2.6.26, which lets a client see the race). Not refused in the grace period
 * (Linux refuses): a cancel can only free what nobody else may take yet.
 */
final class CancelProc implements NlmProc<NlmCancargs> {
  @Override public NlmCancargs decode(XdrDecodingStream in, int version) throws IOException { return NlmCancargs.decode(in, version); }

  @Override public NlmType run(NlmCx cx, NlmCancargs a) throws NlmException {
    FileKey f = cx.file(a.alock().fh());
    LockRange r = cx.range(a.alock());
    LockOwner o = cx.owner(a.alock());
    LockManager.Cancelled c = cx.nlm.locks.cancel(f, o, r, NlmProgram.type(a.exclusive()));
    LockManager.notify(c.woken());
    if (c.found()) return new NlmRes(a.cookie(), NlmStats.GRANTED);
    if (cx.nlm.callbacks.dropLock(f, o, r)) {
      cx.nlm.count(NlmStat.GRANTED_SUPERSEDED);
      LockManager.notify(cx.nlm.locks.unlock(f, o, r));
      return new NlmRes(a.cookie(), NlmStats.GRANTED);
    }
    return new NlmRes(a.cookie(), NlmStats.DENIED);
  }

  @Override public NlmType fail(NlmCancargs a, NlmStats status) { return new NlmRes(a.cookie(), status); }
}
