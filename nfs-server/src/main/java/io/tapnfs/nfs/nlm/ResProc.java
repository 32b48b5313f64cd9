package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmTestres;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * TEST_RES, LOCK_RES, CANCEL_RES and UNLOCK_RES: results of _MSG calls, which a server receives
 * only when it made them as a client. tapnfs makes none: the arguments are decoded (so bad ones
 * are GARBAGE_ARGS like any), counted and dropped; the reply is void.
 */
final class ResProc implements NlmProc<Object> {
  private final boolean test;

  /** @param test TEST_RES, whose argument is an nlm4_testres; the others carry an nlm4_res */
  ResProc(boolean test) { this.test = test; }

  @Override public Object decode(XdrDecodingStream in, int version) throws IOException {
    return test ? NlmTestres.decode(in, version) : NlmRes.decode(in);
  }

  @Override public NlmType run(NlmCx cx, Object a) {
    cx.nlm.count(NlmStat.RES_IGNORED);
    return null;
  }

  @Override public NlmType fail(Object a, NlmStats status) { return null; }
}
