package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.lock.LockManager.Lock;
import io.tapnfs.nfs.lock.LockOwner;
import io.tapnfs.nfs.lock.LockRange;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmTestargs;
import io.tapnfs.nfs.nlm.xdr.NlmTestres;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * TEST and TEST_MSG (XNFS NLM_TEST; RFC 1813 Appendix II NLMPROC4_TEST): whether {@code alock}
 * could be had, and if not, one lock in the way. During the grace period the answer is
 * DENIED_GRACE_PERIOD, as Linux's lockd gives: the locks held before the restart are not all
 * back yet.
 */
final class TestProc implements NlmProc<NlmTestargs> {
  @Override public NlmTestargs decode(XdrDecodingStream in, int version) throws IOException { return NlmTestargs.decode(in, version); }

  @Override public NlmType run(NlmCx cx, NlmTestargs a) throws NlmException {
    if (cx.nlm.grace.active(cx.now)) throw new NlmException(NlmStats.DENIED_GRACE_PERIOD, NlmStat.GRACE_REFUSED, "TEST in the grace period");
    FileKey f = cx.file(a.alock().fh());
    LockRange r = cx.range(a.alock());
    LockOwner o = cx.owner(a.alock());
    Lock c = cx.nlm.locks.test(f, o, r, NlmProgram.type(a.exclusive()));
    if (c == null) return new NlmTestres(a.cookie(), NlmStats.GRANTED, null);
    return new NlmTestres(a.cookie(), NlmStats.DENIED, NlmProgram.holder(c, cx.version));
  }

  /** DENIED says a lock is in the way and carries it: a refused caller is told FAILED (versions 1 and 3: DENIED_NOLOCKS) instead. */
  @Override public NlmType fail(NlmTestargs a, NlmStats status) {
    return new NlmTestres(a.cookie(), status == NlmStats.DENIED ? NlmStats.FAILED : status, null);
  }
}
