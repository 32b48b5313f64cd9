package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * GRANTED_RES: a client's answer to the GRANTED_MSG we sent for a waiter queued by LOCK_MSG,
 * matched by our cookie and the client's address. GRANTED ends the callback; DENIED_GRACE_PERIOD
 * has it sent again later; anything else means the client no longer wants the lock, which is
 * released (and the next waiter served). Void reply.
 */
final class GrantedResProc implements NlmProc<NlmRes> {
  @Override public NlmRes decode(XdrDecodingStream in, int version) throws IOException { return NlmRes.decode(in); }

  @Override public NlmType run(NlmCx cx, NlmRes a) {
    Callbacks.Outcome o = cx.nlm.callbacks.answered(a.cookie(), cx.address(), a.stat(), cx.now);
    if (o == Callbacks.GONE) cx.nlm.count(NlmStat.GRANTED_RES_UNMATCHED);
    else cx.nlm.runner.handle(o);
    return null;
  }

  @Override public NlmType fail(NlmRes a, NlmStats status) { return null; }
}
