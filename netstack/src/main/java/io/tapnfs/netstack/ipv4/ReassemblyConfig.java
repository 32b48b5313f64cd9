package io.tapnfs.netstack.ipv4;

/**
 * Bounds of the IPv4 reassembler.
 *
 * @param timeoutNanos how long a datagram may stay incomplete, from its first fragment (RFC 791
 *     §3.2 "reassembly"; RFC 1122 §3.3.2 suggests 60 s to 120 s, we follow Linux {@code ipfrag_time})
 * @param memoryLimitBytes fragment bytes plus per-fragment overhead held for all datagrams (Linux
 *     {@code ipfrag_high_thresh})
 * @param maxDatagrams datagrams held at once, including those remembered as poisoned
 */
public record ReassemblyConfig(long timeoutNanos, long memoryLimitBytes, int maxDatagrams) {
  public static final ReassemblyConfig DEFAULTS = new ReassemblyConfig(30_000_000_000L, 4L << 20, 1024);

  public ReassemblyConfig {
    if (timeoutNanos <= 0) throw new IllegalArgumentException("timeout " + timeoutNanos);
    if (memoryLimitBytes <= 0) throw new IllegalArgumentException("memory limit " + memoryLimitBytes);
    if (maxDatagrams <= 0) throw new IllegalArgumentException("max datagrams " + maxDatagrams);
  }
}
