package io.tapnfs.netstack.ipv4;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;

/**
 * Walks the IPv4 options (RFC 791 §3.1 "Options") safely: every option's length is checked
 * against what is left, so a bad length cannot make the walk read past the header. We act on no
 * option; we only need to know whether the packet is source-routed.
 */
public final class Ipv4Options {
  public static final int END = 0, NOP = 1, LSRR = 0x83, SSRR = 0x89;

  private Ipv4Options() {}

  /** Result of a walk. */
  public record Summary(boolean sourceRouted) {}

  public static Summary walk(ByteBuffer opts) throws Malformed {
    boolean sourceRouted = false;
    int i = 0, n = opts.limit();
    while (i < n) {
      int type = opts.get(i) & 0xff;
      if (type == END) break;
      if (type == NOP) { i++; continue; }
      if (i + 1 >= n) throw Malformed.of(DropReason.IPV4_BAD_OPTIONS);
      int len = opts.get(i + 1) & 0xff;
      if (len < 2 || i + len > n) throw Malformed.of(DropReason.IPV4_BAD_OPTIONS);
      if (type == LSRR || type == SSRR) sourceRouted = true;
      i += len;
    }
    return new Summary(sourceRouted);
  }
}
