package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.Stack;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/**
 * NIO on the stack: selectors and TCP/UDP channels whose traffic goes through one {@link Stack}
 * instead of the kernel, so NIO frameworks (Grizzly, and oncrpc4j on it) run unchanged when
 * handed this provider, e.g. {@code TCPNIOTransportBuilder.newInstance().setSelectorProvider(p)}.
 *
 * <p>Supported: IPv4 TCP client and server channels and UDP channels, blocking and non-blocking,
 * scatter/gather, level-triggered selectors (see {@link StackSelector}), the {@code socket()}
 * adapters with the usual options.
 *
 * <p><b>Not supported</b>: pipes ({@link #openPipe} throws UnsupportedOperationException; use the
 * JDK's provider for those), IPv6 and Unix-domain channels, multicast, binding a TCP client to a
 * fixed local port, inherited channels (null). Buffer-size options are hints the stack ignores:
 * its buffers are sized by the {@code tcp_rmem}/{@code tcp_wmem}/{@code udp_rmem}/{@code udp_wmem}
 * settings, and the getters report those real sizes.
 *
 * <p>Only channels of this provider can be registered with its selectors.
 */
public final class StackSelectorProvider extends SelectorProvider {
  private final Stack stack;

  public StackSelectorProvider(Stack stack) { this.stack = Objects.requireNonNull(stack, "stack"); }

  public Stack stack() { return stack; }

  @Override public AbstractSelector openSelector() { return new StackSelector(this); }

  @Override public SocketChannel openSocketChannel() { return new StackSocketChannel(this); }

  @Override public ServerSocketChannel openServerSocketChannel() { return new StackServerSocketChannel(this); }

  @Override public DatagramChannel openDatagramChannel() { return new StackDatagramChannel(this); }

  @Override public SocketChannel openSocketChannel(ProtocolFamily family) {
    checkInet(family);
    return openSocketChannel();
  }

  @Override public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) {
    checkInet(family);
    return openServerSocketChannel();
  }

  @Override public DatagramChannel openDatagramChannel(ProtocolFamily family) {
    checkInet(family);
    return openDatagramChannel();
  }

  /** Not provided: the stack has no pipes, and Grizzly does not use them. */
  @Override public Pipe openPipe() {
    throw new UnsupportedOperationException("pipes are not provided by the stack's SelectorProvider");
  }

  /** The stack's channels are never inherited from a parent process. */
  @Override public Channel inheritedChannel() throws IOException { return null; }

  private static void checkInet(ProtocolFamily family) {
    if (Objects.requireNonNull(family, "family") != StandardProtocolFamily.INET)
      throw new UnsupportedOperationException("the stack speaks IPv4 (INET) only, not " + family);
  }

  @Override public String toString() { return "StackSelectorProvider[" + stack.linkName() + "]"; }
}
