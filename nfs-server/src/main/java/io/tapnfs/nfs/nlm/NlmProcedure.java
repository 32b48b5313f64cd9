package io.tapnfs.nfs.nlm;

/**
 * The procedures of NLM (XNFS chapter 10; RFC 1813 Appendix II for version 4), by number, with the
 * first version that has them: 0-15 in versions 1, 3 and 4; SHARE, UNSHARE, NM_LOCK and FREE_ALL
 * (20-23) from version 3 on. Linux's private SM_NOTIFY (16), which its statd calls over
 * loopback, is not served: tapnfs's status monitor is in the process ({@code ClientReboots}).
 */
public enum NlmProcedure {
  NULL(0, 1), TEST(1, 1), LOCK(2, 1), CANCEL(3, 1), UNLOCK(4, 1), GRANTED(5, 1),
  TEST_MSG(6, 1), LOCK_MSG(7, 1), CANCEL_MSG(8, 1), UNLOCK_MSG(9, 1), GRANTED_MSG(10, 1),
  TEST_RES(11, 1), LOCK_RES(12, 1), CANCEL_RES(13, 1), UNLOCK_RES(14, 1), GRANTED_RES(15, 1),
  SHARE(20, 3), UNSHARE(21, 3), NM_LOCK(22, 3), FREE_ALL(23, 3);

  private final int number, since;

  NlmProcedure(int number, int since) {
    this.number = number;
    this.since = since;
  }

  public int number() { return number; }

  /** The procedure numbered {@code n} in {@code version}, or null (PROC_UNAVAIL). */
  public static NlmProcedure of(int n, int version) {
    for (NlmProcedure p : values()) if (p.number == n) return version >= p.since ? p : null;
    return null;
  }

  /** TEST_MSG ... GRANTED_MSG: answered with an empty reply, the result sent back as a call of {@link #res()}. */
  public boolean msg() { return number >= 6 && number <= 10; }

  /** The _RES procedure that carries the result of this _MSG one. */
  public NlmProcedure res() {
    if (!msg()) throw new IllegalStateException(this + " is no _MSG procedure");
    return of(number + 5, 1);
  }
}
