package io.tapnfs.nfs.nlm.xdr;

/**
 * RFC 1813 Appendix II {@code nlm4_stats}, with its values; versions 1 and 3 have only the first
 * five ({@code nlm_stats}: LCK_GRANTED ... LCK_DENIED_GRACE_PERIOD), and {@link #code} maps the
 * others as Linux's lockd does ({@code cast_to_nlm}): DEADLCK is DENIED there, the rest
 * DENIED_NOLOCKS.
 */
public enum NlmStats {
  GRANTED(0), DENIED(1), DENIED_NOLOCKS(2), BLOCKED(3), DENIED_GRACE_PERIOD(4), DEADLCK(5), ROFS(6), STALE_FH(7), FBIG(8),
  FAILED(9);

  private final int code;

  NlmStats(int code) { this.code = code; }

  /** The value on the wire in {@code version}. */
  public int code(int version) {
    if (NlmXdr.wide(version) || code <= DENIED_GRACE_PERIOD.code) return code;
    return this == DEADLCK ? DENIED.code : DENIED_NOLOCKS.code;
  }

  /** The status a version speaks: the same mapping as {@link #code}, as a constant. */
  public NlmStats in(int version) { return of(code(version)); }

  /** The status of wire value {@code code}, or null for a value no version defines. */
  public static NlmStats of(int code) {
    return code >= 0 && code < values().length ? values()[code] : null;
  }
}
