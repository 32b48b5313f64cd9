package io.tapnfs.netstack.socket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

/**
 * {@link StackServerSocketChannel#socket()}: a {@link ServerSocket} view of the channel. Every
 * public method is overridden and goes to the channel; {@link #bind(SocketAddress, int)} is how
 * Grizzly binds. {@link #accept} needs blocking mode and honours SO_TIMEOUT.
 */
final class StackServerSocketAdapter extends ServerSocket {
  private final StackServerSocketChannel ch;

  StackServerSocketAdapter(StackServerSocketChannel ch) {
    super(new StackDummySocketImpl());
    this.ch = ch;
  }

  @Override public StackServerSocketChannel getChannel() { return ch; }

  @Override public void bind(SocketAddress local) throws IOException { bind(local, StackServerSocketChannel.DEFAULT_BACKLOG); }

  @Override public void bind(SocketAddress local, int backlog) throws IOException { ch.bind(local, backlog); }

  @Override public InetAddress getInetAddress() {
    InetSocketAddress l = ch.localAddress();
    return l == null ? null : l.getAddress();
  }

  @Override public int getLocalPort() {
    InetSocketAddress l = ch.localAddress();
    return l == null ? -1 : l.getPort();
  }

  @Override public SocketAddress getLocalSocketAddress() { return ch.localAddress(); }

  @Override public Socket accept() throws IOException {
    if (!ch.isOpen()) throw new SocketException("Socket is closed");
    if (!isBound()) throw new SocketException("Socket is not bound yet");
    return ch.acceptForAdapter().socket();
  }

  @Override public void close() throws IOException { ch.close(); }

  @Override public boolean isBound() { return ch.localAddress() != null; }

  @Override public boolean isClosed() { return !ch.isOpen(); }

  @Override public void setSoTimeout(int timeout) throws SocketException {
    checkOpen();
    if (timeout < 0) throw new IllegalArgumentException("timeout < 0");
    ch.soTimeout(timeout);
  }

  @Override public int getSoTimeout() throws IOException {
    checkOpen();
    return ch.soTimeout();
  }

  @Override public void setReuseAddress(boolean on) throws SocketException { set(StandardSocketOptions.SO_REUSEADDR, on); }

  @Override public boolean getReuseAddress() throws SocketException { return get(StandardSocketOptions.SO_REUSEADDR); }

  @Override public void setReceiveBufferSize(int size) throws SocketException {
    if (size <= 0) throw new IllegalArgumentException("negative receive size");
    set(StandardSocketOptions.SO_RCVBUF, size);
  }

  @Override public int getReceiveBufferSize() throws SocketException { return get(StandardSocketOptions.SO_RCVBUF); }

  @Override public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {}

  @Override public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
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

  @Override public String toString() {
    InetSocketAddress l = ch.localAddress();
    return l == null ? "ServerSocket[unbound]" : "ServerSocket[addr=" + l.getAddress() + ",localport=" + l.getPort() + "]";
  }
}
