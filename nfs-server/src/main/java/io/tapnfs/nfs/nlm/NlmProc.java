package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.nlm.xdr.NlmStats;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import org.dcache.oncrpc4j.xdr.XdrDecodingStream;

/**
 * One NLM procedure (one class each; the _MSG form shares its synchronous twin's class): decode
 * its arguments in a version's encoding, run it, build the result for a failure status.
 * {@link NlmProgram} answers, or for a _MSG call sends the result back as the _RES call.
 *
 * @param <A> the decoded arguments
 */
interface NlmProc<A> {
  /** Decodes; undecodable arguments throw (GARBAGE_ARGS). Every length is checked first. */
  A decode(XdrDecodingStream in, int version) throws IOException;

  /** Runs: the result, or null for a procedure whose result is void. */
  NlmType run(NlmCx cx, A args) throws NlmException;

  /** The result carrying {@code status} (null for void procedures). Never throws. */
  NlmType fail(A args, NlmStats status);
}
