package io.tapnfs.netstack.ethernet;

import java.nio.ByteBuffer;

/** How a network-layer protocol hands a payload to the link: framed and written at once. */
@FunctionalInterface
public interface EthernetOutput {
  /** Sends {@code payload} ({@code position..limit}, not moved, not kept) to {@code dst}. */
  void send(MacAddress dst, int etherType, ByteBuffer payload);

  /**
   * Sends an IPv4 datagram carrying one TCP segment larger than the MTU, for the link to cut into
   * segments of {@code mss} payload bytes ({@link io.tapnfs.netstack.link.LinkEndpoint#writeGso});
   * {@code mss} 0 sends it as it is, like {@link #send}.
   */
  default void sendGso(MacAddress dst, ByteBuffer datagram, int mss) {
    if (mss != 0) throw new UnsupportedOperationException("no segmentation offload");
    send(dst, EtherType.IPV4, datagram);
  }
}
