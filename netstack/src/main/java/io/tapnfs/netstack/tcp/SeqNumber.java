package io.tapnfs.netstack.tcp;

/**
 * A 32-bit TCP sequence number (RFC 9293 §3.4). All arithmetic is modulo 2^32; comparisons are
 * serial-number comparisons (RFC 1982 §3.2), {@code a < b} iff {@code (int) (a - b) < 0}, as in
 * gVisor {@code seqnum}. They are meaningful only for numbers less than 2^31 apart, which the
 * window rules guarantee; at exactly 2^31 apart each number is "less" than the other. This is
 * not a total order, so the type is deliberately not {@link Comparable}.
 *
 * @param value the raw 32 bits, as the wire carries them
 */
public record SeqNumber(int value) {
  public static final SeqNumber ZERO = new SeqNumber(0);

  /** The low 32 bits of {@code v}: {@code of(0xffffffffL)} and {@code of(-1)} are the same number. */
  public static SeqNumber of(long v) { return new SeqNumber((int) v); }

  public SeqNumber plus(int n) { return new SeqNumber(value + n); }

  /** The signed distance {@code this - other}, e.g. how many bytes {@code other} lags behind. */
  public int minus(SeqNumber other) { return value - other.value; }

  public boolean lessThan(SeqNumber o) { return value - o.value < 0; }
  public boolean lessOrEqual(SeqNumber o) { return value - o.value <= 0; }
  public boolean greaterThan(SeqNumber o) { return value - o.value > 0; }
  public boolean greaterOrEqual(SeqNumber o) { return value - o.value >= 0; }

  /**
   * {@code start <= this < start + size}, wrap-safe: the unsigned distance from {@code start} is
   * below {@code size}. An empty window contains nothing.
   */
  public boolean inWindow(SeqNumber start, int size) {
    if (size < 0) throw new IllegalArgumentException("negative window " + size);
    return Integer.compareUnsigned(value - start.value, size) < 0;
  }

  public static SeqNumber max(SeqNumber a, SeqNumber b) { return a.greaterThan(b) ? a : b; }
  public static SeqNumber min(SeqNumber a, SeqNumber b) { return a.lessThan(b) ? a : b; }

  public long toUnsigned() { return value & 0xffffffffL; }

  @Override public String toString() { return Long.toString(toUnsigned()); }
}
