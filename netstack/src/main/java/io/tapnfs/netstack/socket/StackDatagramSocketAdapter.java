package io.tapnfs.netstack.socket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

/**
 * {@link StackDatagramChannel#socket()}: a {@link DatagramSocket} view of the channel. Every
 * public method is overridden and goes to the channel. {@link #receive} needs blocking mode and
 * honours SO_TIMEOUT; it fills at most {@link DatagramPacket#getLength()} bytes and then sets the
 * packet's length to what was received (so reset the length before reusing a packet: the JDK's
 * private buffer-length field is out of reach).
 */
final class StackDatagramSocketAdapter extends DatagramSocket {
  private final StackDatagramChannel ch;

  StackDatagramSocketAdapter(StackDatagramChannel ch) {
    super(new StackDummyDatagramSocketImpl());
    this.ch = ch;
  }

  @Override public StackDatagramChannel getChannel() { return ch; }

  @Override public void bind(SocketAddress local) throws SocketException {
    try {
      ch.bind(local);
    } catch (ClosedChannelException e) {
      throw new SocketException("Socket is closed");
    } catch (SocketException e) {
      throw e;
    } catch (IOException e) {
      throw new SocketException(e.getMessage());
    }
  }

  @Override public void connect(InetAddress address, int port) {
    try {
      connect(new InetSocketAddress(address, port));
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override public void connect(SocketAddress remote) throws SocketException {
    if (remote == null) throw new IllegalArgumentException("Address can't be null");
    try {
      ch.connect(remote);
    } catch (ClosedChannelException e) {
      throw new SocketException("Socket is closed");
    } catch (SocketException e) {
      throw e;
    } catch (IOException e) {
      throw new SocketException(e.getMessage());
    }
  }

  @Override public void disconnect() { ch.disconnect(); }

  @Override public boolean isBound() { return ch.localAddress() != null; }

  @Override public boolean isConnected() { return ch.remoteAddress() != null; }

  @Override public InetAddress getInetAddress() {
    InetSocketAddress r = ch.remoteAddress();
    return r == null ? null : r.getAddress();
  }

  @Override public int getPort() {
    InetSocketAddress r = ch.remoteAddress();
    return r == null ? -1 : r.getPort();
  }

  @Override public SocketAddress getRemoteSocketAddress() { return ch.remoteAddress(); }

  @Override public SocketAddress getLocalSocketAddress() { return ch.isOpen() ? ch.localAddress() : null; }

  @Override public InetAddress getLocalAddress() {
    InetSocketAddress l = ch.localAddress();
    return l == null || !ch.isOpen() ? null : l.getAddress();
  }

  @Override public int getLocalPort() {
    if (!ch.isOpen()) return -1;
    InetSocketAddress l = ch.localAddress();
    return l == null ? 0 : l.getPort();
  }

  @Override public void send(DatagramPacket p) throws IOException {
    SocketAddress to;
    synchronized (p) {
      InetAddress a = p.getAddress();
      InetSocketAddress peer = ch.remoteAddress();
      if (a == null) {
        if (peer == null) throw new IllegalArgumentException("Address not set");
        to = peer;
      } else {
        to = new InetSocketAddress(a, p.getPort());
        if (peer != null && !peer.equals(to)) throw new IllegalArgumentException("connected address and packet address differ");
      }
      ch.send(ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength()), to);
    }
  }

  @Override public void receive(DatagramPacket p) throws IOException {
    synchronized (p) {
      Datagram d = ch.receiveForAdapter();
      ByteBuffer src = d.payload().duplicate();
      int n = Math.min(src.remaining(), p.getLength());
      src.get(p.getData(), p.getOffset(), n);
      p.setLength(n);
      p.setSocketAddress(NioAddresses.of(d.source(), d.sourcePort()));
    }
  }

  @Override public void setSoTimeout(int timeout) throws SocketException {
    checkOpen();
    if (timeout < 0) throw new IllegalArgumentException("timeout < 0");
    ch.soTimeout(timeout);
  }

  @Override public int getSoTimeout() throws SocketException {
    checkOpen();
    return ch.soTimeout();
  }

  @Override public void setSendBufferSize(int size) throws SocketException {
    if (size <= 0) throw new IllegalArgumentException("Negative send size");
    set(StandardSocketOptions.SO_SNDBUF, size);
  }

  @Override public int getSendBufferSize() throws SocketException { return get(StandardSocketOptions.SO_SNDBUF); }

  @Override public void setReceiveBufferSize(int size) throws SocketException {
    if (size <= 0) throw new IllegalArgumentException("Invalid receive size");
    set(StandardSocketOptions.SO_RCVBUF, size);
  }

  @Override public int getReceiveBufferSize() throws SocketException { return get(StandardSocketOptions.SO_RCVBUF); }

  @Override public void setReuseAddress(boolean on) throws SocketException { set(StandardSocketOptions.SO_REUSEADDR, on); }

  @Override public boolean getReuseAddress() throws SocketException { return get(StandardSocketOptions.SO_REUSEADDR); }

  @Override public void setBroadcast(boolean on) throws SocketException { set(StandardSocketOptions.SO_BROADCAST, on); }

  @Override public boolean getBroadcast() throws SocketException { return get(StandardSocketOptions.SO_BROADCAST); }

  @Override public void setTrafficClass(int tc) throws SocketException {
    if (tc < 0 || tc > 255) throw new IllegalArgumentException("tc is not in range 0 -- 255");
    set(StandardSocketOptions.IP_TOS, tc);
  }

  @Override public int getTrafficClass() throws SocketException { return get(StandardSocketOptions.IP_TOS); }

  @Override public void close() {
    try {
      ch.close();
    } catch (IOException e) {
      // DatagramSocket.close declares nothing; the channel is closed either way
    }
  }

  @Override public boolean isClosed() { return !ch.isOpen(); }

  @Override public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
    ch.setOption(name, value);
    return this;
  }

  @Override public <T> T getOption(SocketOption<T> name) throws IOException { return ch.getOption(name); }

  @Override public Set<SocketOption<?>> supportedOptions() { return ch.supportedOptions(); }

  @Override public void joinGroup(SocketAddress group, NetworkInterface ni) throws IOException {
    throw new SocketException("multicast is not supported by the stack");
  }

  @Override public void leaveGroup(SocketAddress group, NetworkInterface ni) throws IOException {
    throw new SocketException("multicast is not supported by the stack");
  }

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
}
