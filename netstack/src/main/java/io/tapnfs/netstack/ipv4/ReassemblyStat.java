package io.tapnfs.netstack.ipv4;

/**
 * Reassembly counters, named after the IP-MIB (RFC 4293 ipSystemStatsReasm*), plus duplicates,
 * timeouts and overlaps as Linux counts them ({@code ReasmTimeout}, {@code ReasmOverlaps}).
 */
public enum ReassemblyStat {
  /** Fragments received that needed reassembly (every call to {@code accept}). */
  REASM_REQDS,
  /** Datagrams reassembled. */
  REASM_OKS,
  /** Failures: each rejected fragment and each datagram discarded unfinished (timeout, eviction). */
  REASM_FAILS,
  /** Exact duplicates ignored. */
  REASM_DUPLICATES,
  /** Datagrams timed out. */
  REASM_TIMEOUTS,
  /** Datagrams discarded for overlapping or inconsistent fragments. */
  REASM_OVERLAPS
}
