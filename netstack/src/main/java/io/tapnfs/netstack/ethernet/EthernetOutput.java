package io.tapnfs.netstack.ethernet;

import java.nio.ByteBuffer;

/** How a network-layer protocol hands a payload to the link: framed and written at once. */
@FunctionalInterface
public interface EthernetOutput {
  /** Sends {@code payload} ({@code position..limit}, not moved, not kept) to {@code dst}. */
  void send(MacAddress dst, int etherType, ByteBuffer payload);
}
