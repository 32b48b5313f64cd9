package io.tapnfs.nfs.nlm;

import io.tapnfs.nfs.nlm.xdr.NlmStats;

/** A procedure answers {@link #status()} (a stale handle, a refused export, a bound, the grace period). No stack trace. */
final class NlmException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient NlmStats status;
  private final transient NlmStat counter;

  NlmException(NlmStats status, NlmStat counter, String message) {
    super(status + ": " + message, null, false, false);
    this.status = status;
    this.counter = counter;
  }

  NlmStats status() { return status; }

  /** What to count besides the status, or null. */
  NlmStat counter() { return counter; }
}
