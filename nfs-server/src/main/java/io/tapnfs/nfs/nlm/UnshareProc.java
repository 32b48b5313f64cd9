package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.nlm.xdr.NlmShareargs;
import io.tapnfs.nfs.nlm.xdr.NlmShareres;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * UNSHARE (XNFS NLM_UNSHARE): drops the owner's reservation; GRANTED whether or not there was
 * one, as Linux. Not refused in the grace period (Linux refuses): it frees, it takes nothing.
 */
final class UnshareProc implements NlmProc<NlmShareargs> {
  @Override public NlmShareargs decode(XdrDecodingStream in, int version) throws IOException { return NlmShareargs.decode(in); }

  @Override public NlmType run(NlmCx cx, NlmShareargs a) throws NlmException {
    FileKey f = cx.file(a.fh());
    cx.nlm.shares.unshare(f, cx.client(a.callerName()), a.oh());
    return new NlmShareres(a.cookie(), NlmStats.GRANTED, 0);
  }

  @Override public NlmType fail(NlmShareargs a, NlmStats status) { return new NlmShareres(a.cookie(), status, 0); }
}
