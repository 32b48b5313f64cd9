package io.tapnfs.netstack.socket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.util.Set;

/**
 * {@link StackSocketChannel#socket()}: a {@link Socket} view of the channel, as the JDK's
 * {@code SocketAdaptor} is. Every public method is overridden and goes to the channel; the
 * option methods throw only SocketException (Grizzly treats anything else as fatal).
 *
 * <p>The streams and {@code connect} need the channel in blocking mode
 * (IllegalBlockingModeException otherwise, as in the JDK); reads honour SO_TIMEOUT.
 */
final class StackSocketAdapter extends Socket {
  private final StackSocketChannel ch;
  private volatile int trafficClass;
  private volatile boolean oobInline;

  StackSocketAdapter(StackSocketChannel ch) throws SocketException {
    super(new StackDummySocketImpl());
    this.ch = ch;
  }

  @Override public StackSocketChannel getChannel() { return ch; }

  // ------------------------------------------------------------------ connect and bind

  @Override public void connect(SocketAddress remote) throws IOException { connect(remote, 0); }

  @Override public void connect(SocketAddress remote, int timeout) throws IOException {
    if (remote == null) throw new IllegalArgumentException("connect: The address can't be null");
    if (timeout < 0) throw new IllegalArgumentException("connect: timeout can't be negative");
    if (!ch.isBlocking()) throw new IllegalBlockingModeException();
    ch.connect(remote, timeout * 1_000_000L);
  }

  @Override public void bind(SocketAddress local) throws IOException { ch.bind(local); }

  @Override public InetAddress getInetAddress() {
    InetSocketAddress r = ch.remoteAddress();
    return r == null || !ch.isConnected() ? null : r.getAddress();
  }

  @Override public int getPort() {
    InetSocketAddress r = ch.remoteAddress();
    return r == null || !ch.isConnected() ? 0 : r.getPort();
  }

  @Override public InetAddress getLocalAddress() {
    InetSocketAddress l = ch.localAddress();
    return l == null || !ch.isOpen() ? NioAddresses.ANY : l.getAddress();
  }

  @Override public int getLocalPort() {
    InetSocketAddress l = ch.localAddress();
    return l == null ? -1 : l.getPort();
  }

  @Override public SocketAddress getRemoteSocketAddress() { return ch.isConnected() ? ch.remoteAddress() : null; }

  @Override public SocketAddress getLocalSocketAddress() { return ch.isOpen() ? ch.localAddress() : null; }

  // ------------------------------------------------------------------ streams

  @Override public InputStream getInputStream() throws IOException {
    checkConnected();
    return new InputStream() {
      @Override public int read() throws IOException {
        byte[] b = new byte[1];
        int n;
        do { n = read(b, 0, 1); } while (n == 0);
        return n < 0 ? -1 : b[0] & 0xff;
      }

      @Override public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        return ch.readForStream(ByteBuffer.wrap(b, off, len));
      }

      @Override public int available() throws IOException { return ch.available(); }

      @Override public void close() throws IOException { ch.close(); }
    };
  }

  @Override public OutputStream getOutputStream() throws IOException {
    checkConnected();
    return new OutputStream() {
      @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

      @Override public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (!ch.isBlocking()) throw new IllegalBlockingModeException();
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        while (src.hasRemaining()) ch.write(src);
      }

      @Override public void close() throws IOException { ch.close(); }
    };
  }

  private void checkConnected() throws SocketException {
    if (!ch.isOpen()) throw new SocketException("Socket is closed");
    if (!ch.isConnected()) throw new SocketException("Socket is not connected");
  }

  // ------------------------------------------------------------------ options

  @Override public void setTcpNoDelay(boolean on) throws SocketException { set(StandardSocketOptions.TCP_NODELAY, on); }

  @Override public boolean getTcpNoDelay() throws SocketException { return get(StandardSocketOptions.TCP_NODELAY); }

  @Override public void setSoLinger(boolean on, int linger) throws SocketException {
    if (on && linger < 0) throw new IllegalArgumentException("invalid value for SO_LINGER");
    set(StandardSocketOptions.SO_LINGER, on ? Math.min(linger, 65535) : -1);
  }

  @Override public int getSoLinger() throws SocketException { return get(StandardSocketOptions.SO_LINGER); }

  @Override public void sendUrgentData(int data) throws IOException {
    throw new SocketException("Urgent data is not supported by the stack");
  }

  @Override public void setOOBInline(boolean on) throws SocketException {
    checkOpen();
    oobInline = on;
  }

  @Override public boolean getOOBInline() throws SocketException {
    checkOpen();
    return oobInline;
  }

  @Override public void setSoTimeout(int timeout) throws SocketException {
    checkOpen();
    if (timeout < 0) throw new IllegalArgumentException("timeout can't be negative");
    ch.soTimeout(timeout);
  }

  @Override public int getSoTimeout() throws SocketException {
    checkOpen();
    return ch.soTimeout();
  }

  @Override public void setSendBufferSize(int size) throws SocketException {
    if (size <= 0) throw new IllegalArgumentException("Invalid send size");
    set(StandardSocketOptions.SO_SNDBUF, size);
  }

  @Override public int getSendBufferSize() throws SocketException { return get(StandardSocketOptions.SO_SNDBUF); }

  @Override public void setReceiveBufferSize(int size) throws SocketException {
    if (size <= 0) throw new IllegalArgumentException("Invalid receive size");
    set(StandardSocketOptions.SO_RCVBUF, size);
  }

  @Override public int getReceiveBufferSize() throws SocketException { return get(StandardSocketOptions.SO_RCVBUF); }

  @Override public void setKeepAlive(boolean on) throws SocketException { set(StandardSocketOptions.SO_KEEPALIVE, on); }

  @Override public boolean getKeepAlive() throws SocketException { return get(StandardSocketOptions.SO_KEEPALIVE); }

  @Override public void setTrafficClass(int tc) throws SocketException {
    if (tc < 0 || tc > 255) throw new IllegalArgumentException("tc is not in range 0 -- 255");
    checkOpen();
    trafficClass = tc;
  }

  @Override public int getTrafficClass() throws SocketException {
    checkOpen();
    return trafficClass;
  }

  @Override public void setReuseAddress(boolean on) throws SocketException { set(StandardSocketOptions.SO_REUSEADDR, on); }

  @Override public boolean getReuseAddress() throws SocketException { return get(StandardSocketOptions.SO_REUSEADDR); }

  @Override public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {}

  @Override public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
    ch.setOption(name, value);
    return this;
  }

  @Override public <T> T getOption(SocketOption<T> name) throws IOException { return ch.getOption(name); }

  @Override public Set<SocketOption<?>> supportedOptions() { return ch.supportedOptions(); }

  private <T> void set(SocketOption<T> name, T value) throws SocketException {
    try {
      ch.setOption(name, value);
    } catch (ClosedChannelException e) {
      throw new SocketException("Socket is closed");
    } catch (SocketException e) {
      throw e;
    } catch (IOException e) {
      throw new SocketException(e.getMessage());
    }
  }

  private <T> T get(SocketOption<T> name) throws SocketException {
    try {
      return ch.getOption(name);
    } catch (ClosedChannelException e) {
      throw new SocketException("Socket is closed");
    } catch (SocketException e) {
      throw e;
    } catch (IOException e) {
      throw new SocketException(e.getMessage());
    }
  }

  private void checkOpen() throws SocketException {
    if (!ch.isOpen()) throw new SocketException("Socket is closed");
  }

  // ------------------------------------------------------------------ state and close

  @Override public void close() throws IOException { ch.close(); }

  @Override public void shutdownInput() throws IOException {
    checkConnected();
    if (ch.isInputShutdown()) throw new SocketException("Socket input is already shutdown");
    ch.shutdownInput();
  }

  @Override public void shutdownOutput() throws IOException {
    checkConnected();
    if (ch.isOutputShutdown()) throw new SocketException("Socket output is already shutdown");
    ch.shutdownOutput();
  }

  @Override public boolean isConnected() { return ch.isConnected(); }

  @Override public boolean isBound() { return ch.localAddress() != null; }

  @Override public boolean isClosed() { return !ch.isOpen(); }

  @Override public boolean isInputShutdown() { return ch.isInputShutdown(); }

  @Override public boolean isOutputShutdown() { return ch.isOutputShutdown(); }

  @Override public String toString() {
    if (ch.isConnected()) return "Socket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport=" + getLocalPort() + "]";
    return "Socket[unconnected]";
  }
}
