package io.tapnfs.netstack.link;

import java.nio.ByteBuffer;

/** Where the protocol core puts finished frames; the event loop writes them to the link. */
public interface FrameSink {
  /** {@code frame.position()..limit()}; not kept after the call. */
  void transmit(ByteBuffer frame);

  /** The link's {@link LinkEndpoint#gsoMaxSize()}: 0 when {@link #transmitGso} is not available. */
  default int gsoMaxSize() { return 0; }

  /** A TCP/IPv4 frame for the link to cut into {@code mss}-byte segments ({@link LinkEndpoint#writeGso}). */
  default void transmitGso(ByteBuffer frame, int mss) {
    throw new UnsupportedOperationException("no segmentation offload");
  }
}
