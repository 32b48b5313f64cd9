package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.nlm.xdr.NlmRes;
import io.tapnfs.nfs.nlm.xdr.NlmType;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** How {@link CallbackRunner} reaches a client's NLM. Implementations block up to their timeout. */
interface CallbackClient {
  /** Calls {@code procedure} (GRANTED) of the client's NLM and returns its nlm_res. */
  NlmRes call(Callbacks.Target target, NlmProcedure procedure, NlmType args) throws IOException, TimeoutException;

  /** Calls a procedure whose result is void (GRANTED_MSG, the _RES calls); returns when the reply came. */
  void send(Callbacks.Target target, NlmProcedure procedure, NlmType args) throws IOException, TimeoutException;
}
