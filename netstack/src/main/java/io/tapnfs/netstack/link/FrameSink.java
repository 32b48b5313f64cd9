package io.tapnfs.netstack.link;

import java.nio.ByteBuffer;

/** Where the protocol core puts finished frames; the event loop writes them to the link. */
@FunctionalInterface
public interface FrameSink {
  /** {@code frame.position()..limit()}; not kept after the call. */
  void transmit(ByteBuffer frame);
}
