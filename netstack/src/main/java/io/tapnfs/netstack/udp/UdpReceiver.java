package io.tapnfs.netstack.udp;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;

/** The socket side of a bound UDP port, as the protocol sees it. Called on the event loop. */
public interface UdpReceiver {
  /**
   * Offers one datagram; the payload is valid only during the call.
   * @return false when the receive queue is full (the protocol counts the drop)
   */
  boolean offer(Ipv4Address src, int srcPort, Ipv4Address dst, ByteBuffer payload);

  /** Bytes waiting to be read, for the socket table. */
  long queuedBytes();
}
