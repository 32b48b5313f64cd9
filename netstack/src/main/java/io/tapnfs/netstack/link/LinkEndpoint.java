package io.tapnfs.netstack.link;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A link that carries whole Ethernet frames (no preamble, no FCS). Only the stack's event-loop
 * thread calls {@link #read}, {@link #write} and {@link #await}; {@link #wakeup} and
 * {@link #close} may be called from any thread.
 */
public interface LinkEndpoint extends Closeable {
  /** Interface name, e.g. {@code tap0} or {@code mem-a}. */
  String name();

  /** Largest frame this link accepts: IP MTU + 14-byte Ethernet header. */
  int maxFrameSize();

  /**
   * Reads one frame into {@code dst} from its position (which it advances). Non-blocking.
   * @return the frame length, or 0 when no frame waits
   * @throws java.io.EOFException when the link is closed
   */
  int read(ByteBuffer dst) throws IOException;

  /** Writes one complete frame, {@code frame.position()..limit()}. May drop it when the link is full. */
  void write(ByteBuffer frame) throws IOException;

  /**
   * Waits until a frame may be readable, {@link #wakeup} is called, or the timeout passes.
   * Spurious returns are allowed.
   * @param timeoutNanos how long at most; negative means no limit
   */
  void await(long timeoutNanos) throws IOException;

  /** Makes a concurrent or the next {@link #await} return promptly. */
  void wakeup();
}
