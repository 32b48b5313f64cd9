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
   * TCP segmentation offload (gVisor {@code stack.GSOEndpoint}, Linux {@code NETIF_F_TSO}): the
   * largest frame, Ethernet header included, that {@link #writeGso} takes; 0 when the link cuts
   * nothing itself.
   */
  default int gsoMaxSize() { return 0; }

  /**
   * Writes one TCP/IPv4 frame (no IP options) whose TCP payload the link cuts into segments of
   * {@code mss} bytes, the last possibly shorter, as a NIC does with TSO: each segment gets the
   * headers with its own sequence number, IP total length, identification (incremented) and
   * checksums; FIN and PSH stay on the last segment only. The IP header checksum is complete;
   * the TCP checksum field holds only the pseudo-header sum over the whole frame's TCP length
   * (Linux {@code CHECKSUM_PARTIAL}), which the link completes per segment.
   *
   * @throws UnsupportedOperationException when {@link #gsoMaxSize()} is 0
   */
  default void writeGso(ByteBuffer frame, int mss) throws IOException {
    throw new UnsupportedOperationException(name() + " has no segmentation offload");
  }

  /**
   * Waits until a frame may be readable, {@link #wakeup} is called, or the timeout passes.
   * Spurious returns are allowed.
   * @param timeoutNanos how long at most; negative means no limit
   */
  void await(long timeoutNanos) throws IOException;

  /** Makes a concurrent or the next {@link #await} return promptly. */
  void wakeup();
}
