package io.tapnfs.netstack.ipv4;

import java.nio.ByteBuffer;

/** How IPv4 sends a finished datagram to a next hop on the link (resolution is below it). */
@FunctionalInterface
public interface Ipv4Output {
  void output(long now, Ipv4Address nextHop, ByteBuffer datagram);
}
