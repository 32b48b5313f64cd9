package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.tcp.TcpConnection;
import io.tapnfs.netstack.tcp.TcpState;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A connected TCP socket on the stack, with blocking streams. Thread-safe as far as the
 * connection's buffers go; one reader and one writer at a time, as with java.net.Socket.
 *
 * <p>{@link #close} is graceful: queued data is still delivered, then a FIN — unless unread data
 * is waiting, in which case the peer gets a RST (RFC 2525 §2.17, as Linux does).
 * {@link #abort} always resets (SO_LINGER 0).
 */
public final class TcpSocket implements Closeable {
  private final Stack stack;
  private final TcpConnection c;
  private volatile long readTimeoutNanos;
  private volatile boolean closed;

  TcpSocket(Stack stack, TcpConnection c) {
    this.stack = stack;
    this.c = c;
  }

  /** Opens a connection; waits for the handshake at most {@code timeout} (null: the retries decide). */
  public static TcpSocket connect(Stack stack, Ipv4Address ip, int port, Duration timeout) throws IOException {
    TcpConnection c = stack.call(n -> {
      try {
        return n.tcp().connect(stack.now(), ip, port);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    try {
      c.awaitEstablished(timeout == null ? 0 : timeout.toNanos());
    } catch (IOException e) {
      c.abort();
      throw e;
    }
    return new TcpSocket(stack, c);
  }

  public Ipv4Address remoteAddress() { return c.remoteAddress(); }
  public int remotePort() { return c.remotePort(); }
  public int localPort() { return c.localPort(); }
  public TcpState state() { return c.state(); }

  /** Read timeout (SO_TIMEOUT); zero or null waits forever. */
  public void setReadTimeout(Duration d) { readTimeoutNanos = d == null ? 0 : d.toNanos(); }

  /** @return bytes read, or -1 at end of stream */
  public int read(ByteBuffer dst) throws IOException { return c.read(dst, readTimeoutNanos); }

  /** Writes everything, blocking while the send buffer is full. */
  public void write(ByteBuffer src) throws IOException {
    while (src.hasRemaining()) c.write(src, 0);
  }

  public void shutdownOutput() { c.shutdownOutput(); }

  public void abort() {
    closed = true;
    c.abort();
  }

  @Override public void close() {
    if (closed) return;
    closed = true;
    c.close();
  }

  public InputStream getInputStream() {
    return new InputStream() {
      @Override public int read() throws IOException {
        byte[] b = new byte[1];
        int n = read(b, 0, 1);
        return n < 0 ? -1 : b[0] & 0xff;
      }

      @Override public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        return TcpSocket.this.read(ByteBuffer.wrap(b, off, len));
      }

      @Override public int available() { return c.available(); }
    };
  }

  public OutputStream getOutputStream() {
    return new OutputStream() {
      @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

      @Override public void write(byte[] b, int off, int len) throws IOException {
        TcpSocket.this.write(ByteBuffer.wrap(b, off, len));
      }

      @Override public void close() { shutdownOutput(); }
    };
  }

  @Override public String toString() { return c.toString(); }
}
