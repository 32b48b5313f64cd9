package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.nlm.xdr.NlmNotify;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * FREE_ALL (XNFS NLM_FREE_ALL, versions 3 and 4): "the client ... has rebooted" and does not use
 * the status monitor; every lock, waiter, share and pending callback of the host {@code name}
 * calling from this address goes (Linux looks the host up by name and source address as well).
 * {@code state} is not kept. Void reply.
 */
final class FreeAllProc implements NlmProc<NlmNotify> {
  @Override public NlmNotify decode(XdrDecodingStream in, int version) throws IOException { return NlmNotify.decode(in); }

  @Override public NlmType run(NlmCx cx, NlmNotify a) {
    cx.nlm.freeAll(cx.client(a.name()));
    return null;
  }

  @Override public NlmType fail(NlmNotify a, NlmStats status) { return null; }
}
