package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmTestargs;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * GRANTED and GRANTED_MSG received: a server telling its client that a blocked lock is now held.
 * tapnfs is only a server and waits for no lock, so every one is DENIED, as a Linux client's
 * lockd answers a GRANTED that matches none of its blocked requests ({@code nlmclnt_grant}).
 */
final class GrantedProc implements NlmProc<NlmTestargs> {
  @Override public NlmTestargs decode(XdrDecodingStream in, int version) throws IOException { return NlmTestargs.decode(in, version); }

  @Override public NlmType run(NlmCx cx, NlmTestargs a) {
    cx.nlm.count(NlmStat.GRANTED_RECEIVED);
    return new NlmRes(a.cookie(), NlmStats.DENIED);
  }

  @Override public NlmType fail(NlmTestargs a, NlmStats status) { return new NlmRes(a.cookie(), status); }
}
