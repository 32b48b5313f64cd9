package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.lock.FileKey;
import io.tapnfs.nfs.nlm.xdr.NlmShareargs;
import io.tapnfs.nfs.nlm.xdr.NlmShareres;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * SHARE (XNFS NLM_SHARE, versions 3 and 4): a DOS share reservation in the {@link ShareTable}.
 * Refused during the grace period unless a reclaim (as Linux); the host is monitored first, as
 * for LOCK (Linux does not: a reservation is state a restarted server should get back, and only a
 * monitored client hears of the restart). {@code sequence} is 0, as Linux answers.
 */
final class ShareProc implements NlmProc<NlmShareargs> {
  @Override public NlmShareargs decode(XdrDecodingStream in, int version) throws IOException { return NlmShareargs.decode(in); }

  @Override public NlmType run(NlmCx cx, NlmShareargs a) throws NlmException {
    cx.grace(a.reclaim(), false);
    FileKey f = cx.file(a.fh());
    String client = cx.client(a.callerName());
    cx.nlm.monitor(cx, a.callerName());
    NlmStats s = cx.nlm.shares.share(f, client, a.oh(), a.mode(), a.access());
    if (s == NlmStats.DENIED_NOLOCKS) cx.nlm.count(NlmStat.SHARE_LIMIT);
    return new NlmShareres(a.cookie(), s, 0);
  }

  @Override public NlmType fail(NlmShareargs a, NlmStats status) { return new NlmShareres(a.cookie(), status, 0); }
}
