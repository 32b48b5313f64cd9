package io.tapnfs.nfs.lock;

/**
 * A byte range: {@code offset} and {@code length} as unsigned 64-bit numbers, length 0 meaning "to
 * the end of the file, however far it grows" (NLM4 and NFSv4 both say so: RFC 1813 Appendix II's
 * nlm4_lock, RFC 7530 §16.10: length all ones is to EOF as well). {@link #last} is the last byte
 * covered (inclusive, unsigned); a range past 2^64 − 1 is {@link #invalid} (NFS4ERR_INVAL /
 * NLM4_FAILED).
 */
public record LockRange(long offset, long last) {
  public static final long TO_EOF = -1L;                 // 0xffff_ffff_ffff_ffff unsigned

  /** The range protocol fields describe, or null when offset + length overflows 64 bits. */
  public static LockRange of(long offset, long length) {
    if (length == 0 || length == TO_EOF) return new LockRange(offset, TO_EOF);
    long last = offset + length - 1;
    if (Long.compareUnsigned(last, offset) < 0) return null;           // wrapped past 2^64
    return new LockRange(offset, last);
  }

  public boolean overlaps(LockRange o) {
    return Long.compareUnsigned(offset, o.last) <= 0 && Long.compareUnsigned(o.offset, last) <= 0;
  }

  /** Whether the two touch or overlap, so one owner's locks of one type merge into one. */
  public boolean touches(LockRange o) {
    return overlaps(o) || (last != TO_EOF && last + 1 == o.offset) || (o.last != TO_EOF && o.last + 1 == offset);
  }

  /** The protocol length: 0 for "to EOF". */
  public long length() { return last == TO_EOF ? 0 : last - offset + 1; }
}
