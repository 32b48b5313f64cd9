package io.tapnfs.netstack.ipv4;

import java.nio.ByteBuffer;

/** How IPv4 sends a finished datagram to a next hop on the link (resolution is below it). */
public interface Ipv4Output {
  void output(long now, Ipv4Address nextHop, ByteBuffer datagram);

  /**
   * The largest datagram {@link #outputGso} takes (IP header included); 0 when the link below
   * cannot cut TCP segments itself.
   */
  default int gsoMaxSize() { return 0; }

  /**
   * Sends a datagram holding one TCP segment, up to {@link #gsoMaxSize()} bytes, that the link cuts
   * into segments of {@code mss} payload bytes ({@link io.tapnfs.netstack.link.LinkEndpoint#writeGso}).
   */
  default void outputGso(long now, Ipv4Address nextHop, ByteBuffer datagram, int mss) {
    throw new UnsupportedOperationException("no segmentation offload");
  }
}
