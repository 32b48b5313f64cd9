package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.tcp.TcpConnection;
import io.tapnfs.netstack.tcp.TcpListener;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;

/** A listening TCP socket on the stack. */
public final class TcpServerSocket implements Closeable {
  private final Stack stack;
  private final TcpListener listener;
  private volatile boolean closed;

  private TcpServerSocket(Stack stack, TcpListener listener) {
    this.stack = stack;
    this.listener = listener;
  }

  public static TcpServerSocket listen(Stack stack, int port, int backlog) throws IOException {
    TcpListener l = stack.call(n -> {
      try {
        return n.tcp().listen(port, backlog);
      } catch (BindException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    return new TcpServerSocket(stack, l);
  }

  public int localPort() { return listener.port(); }

  /** Waits for a connection; null or zero waits forever. */
  public TcpSocket accept(Duration timeout) throws IOException {
    TcpConnection c = listener.accept(timeout == null ? 0 : timeout.toNanos());
    return new TcpSocket(stack, c);
  }

  /** A connection if one waits, else null. */
  public TcpSocket poll() {
    TcpConnection c = listener.poll();
    return c == null ? null : new TcpSocket(stack, c);
  }

  @Override public void close() throws IOException {
    if (closed) return;
    closed = true;
    if (stack.isRunning()) stack.call(n -> { n.tcp().unlisten(stack.now(), listener); return null; });
  }
}
