package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.Sysctl;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A UDP {@link DatagramChannel} on the stack: a {@link UdpSocket} seen through NIO. It binds on
 * first use if not bound ({@code send}, {@code receive}, {@code connect}), like the JDK's. When
 * connected it takes datagrams from its peer only; others are dropped as they are read.
 *
 * <p>{@link #receive} copies what fits and silently discards the rest of the datagram (as the
 * JDK does). {@link #send} hands the whole datagram to the loop and returns its size; while the
 * socket's {@code udp_wmem} budget is used up it blocks (blocking mode, up to 10 s) or returns 0
 * (non-blocking mode), and OP_WRITE is not ready.
 *
 * <p>Locks: {@code readLock}/{@code writeLock} serialize readers and writers; {@code stateLock}
 * guards bind and connect. None is held by the socket's watcher.
 *
 * <p>Not supported: multicast ({@code join} throws SocketException), IPv6; SO_SNDBUF/SO_RCVBUF
 * changes (the getters report the stack's {@code udp_wmem}/{@code udp_rmem}).
 */
final class StackDatagramChannel extends DatagramChannel implements StackChannel {
  private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_SNDBUF,
      StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_BROADCAST,
      StandardSocketOptions.IP_TOS);

  private final Stack stack;
  private final NioSignal signal = new NioSignal();
  private final ReentrantLock readLock = new ReentrantLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Object stateLock = new Object();
  private volatile UdpSocket udp;              // set once, under stateLock
  private volatile InetSocketAddress local;
  private volatile InetSocketAddress peer;     // written under stateLock
  private volatile boolean reuseAddress, broadcast;
  private volatile int tos;
  private volatile int soTimeoutMillis;        // for the DatagramSocket adapter
  private StackDatagramSocketAdapter socket;   // guarded by stateLock

  StackDatagramChannel(StackSelectorProvider provider) {
    super(provider);
    this.stack = provider.stack();
  }

  @Override public NioSignal signal() { return signal; }

  @Override public int readyOps() {
    if (!isOpen()) return 0;
    UdpSocket u = udp;
    return (u != null && u.readable() ? SelectionKey.OP_READ : 0) | (u == null || u.writable() ? SelectionKey.OP_WRITE : 0);
  }

  // ------------------------------------------------------------------ binding and connecting

  @Override public StackDatagramChannel bind(SocketAddress address) throws IOException {
    synchronized (stateLock) {
      ensureOpen();
      if (udp != null) throw new AlreadyBoundException();
      InetSocketAddress a = NioAddresses.local(address, stack);
      UdpSocket u = UdpSocket.open(stack, a.getPort());
      u.addWatcher(signal);
      local = new InetSocketAddress(a.getAddress(), u.localPort());
      udp = u;
    }
    return this;
  }

  private UdpSocket ensureBound() throws IOException {
    UdpSocket u = udp;
    if (u != null) return u;
    synchronized (stateLock) {
      if (udp == null) bind(null);
      return udp;
    }
  }

  @Override public StackDatagramChannel connect(SocketAddress remote) throws IOException {
    synchronized (stateLock) {
      ensureOpen();
      if (peer != null) throw new AlreadyConnectedException();
      InetSocketAddress isa = NioAddresses.remote(remote);
      ensureBound();
      peer = isa;
    }
    return this;
  }

  @Override public StackDatagramChannel disconnect() {
    synchronized (stateLock) {
      peer = null;
    }
    return this;
  }

  @Override public boolean isConnected() { return isOpen() && peer != null; }

  // ------------------------------------------------------------------ receiving

  @Override public SocketAddress receive(ByteBuffer dst) throws IOException {
    checkWritable(dst);
    readLock.lock();
    try {
      ensureOpen();
      Datagram d = take(ensureBound(), isBlocking(), 0);
      if (d == null) return null;
      copy(d, new ByteBuffer[] {dst}, 0, 1);
      return NioAddresses.of(d.source(), d.sourcePort());
    } finally {
      readLock.unlock();
    }
  }

  @Override public int read(ByteBuffer dst) throws IOException {
    return (int) read(new ByteBuffer[] {dst}, 0, 1);
  }

  @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, dsts.length);
    for (int i = offset; i < offset + length; i++) checkWritable(dsts[i]);
    readLock.lock();
    try {
      ensureOpen();
      if (peer == null) throw new NotYetConnectedException();
      Datagram d = take(udp, isBlocking(), 0);
      return d == null ? 0 : copy(d, dsts, offset, length);
    } finally {
      readLock.unlock();
    }
  }

  /** For the DatagramSocket adapter: a blocking receive with SO_TIMEOUT. */
  Datagram receiveForAdapter() throws IOException {
    readLock.lock();
    try {
      ensureOpen();
      if (!isBlocking()) throw new IllegalBlockingModeException();
      return take(ensureBound(), true, soTimeoutMillis * 1_000_000L);
    } finally {
      readLock.unlock();
    }
  }

  /** The next datagram (from the peer, if connected); null if none and not blocking. */
  private Datagram take(UdpSocket u, boolean block, long timeoutNanos) throws IOException {
    if (!block) return poll(u);
    long deadline = NioSignal.deadline(timeoutNanos);
    boolean done = false;
    try {
      begin();
      while (true) {
        long g = signal.generation();
        if (!isOpen()) return null;               // end() throws AsynchronousCloseException
        Datagram d = poll(u);
        if (d != null) {
          done = true;
          return d;
        }
        if (!signal.await(g, deadline)) throw new SocketTimeoutException("Receive timed out");
      }
    } finally {
      end(done);
    }
  }

  private Datagram poll(UdpSocket u) {
    while (true) {
      Datagram d = u.poll();
      InetSocketAddress p = peer;
      if (d == null || p == null || fromPeer(d, p)) return d;
      // connected: a datagram from anyone else is dropped, as the kernel would have
    }
  }

  private static boolean fromPeer(Datagram d, InetSocketAddress p) {
    return d.sourcePort() == p.getPort() && d.source().equals(NioAddresses.ip(p));
  }

  /** Copies what fits of the datagram into the buffers; the rest is discarded. */
  private static int copy(Datagram d, ByteBuffer[] dsts, int offset, int length) {
    ByteBuffer p = d.payload().duplicate();
    int total = 0;
    for (int i = offset; i < offset + length && p.hasRemaining(); i++) {
      ByteBuffer b = dsts[i];
      int n = Math.min(b.remaining(), p.remaining());
      int limit = p.limit();
      p.limit(p.position() + n);
      b.put(p);
      p.limit(limit);
      total += n;
    }
    return total;
  }

  // ------------------------------------------------------------------ sending

  @Override public int send(ByteBuffer src, SocketAddress target) throws IOException {
    Objects.requireNonNull(src, "src");
    writeLock.lock();
    try {
      ensureOpen();
      InetSocketAddress to = NioAddresses.remote(target);
      InetSocketAddress p = peer;
      if (p != null && !p.equals(to)) throw new AlreadyConnectedException();
      return send(ensureBound(), src, to, isBlocking());
    } finally {
      writeLock.unlock();
    }
  }

  @Override public int write(ByteBuffer src) throws IOException {
    return (int) write(new ByteBuffer[] {src}, 0, 1);
  }

  @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, srcs.length);
    writeLock.lock();
    try {
      ensureOpen();
      InetSocketAddress p = peer;
      if (p == null) throw new NotYetConnectedException();
      if (length == 1) return send(udp, srcs[offset], p, isBlocking());
      int size = 0;
      for (int i = offset; i < offset + length; i++) size += srcs[i].remaining();
      ByteBuffer all = ByteBuffer.allocate(size);
      for (int i = offset; i < offset + length; i++) all.put(srcs[i].duplicate());
      all.flip();
      int n = send(udp, all, p, isBlocking());
      if (n > 0) for (int i = offset; i < offset + length; i++) srcs[i].position(srcs[i].limit());
      return n;
    } finally {
      writeLock.unlock();
    }
  }

  /** Sends all of {@code src} as one datagram. @return its size, or 0 when non-blocking and the budget is used up */
  private static int send(UdpSocket u, ByteBuffer src, InetSocketAddress to, boolean blocking) throws IOException {
    int n = src.remaining();
    if (blocking) u.send(NioAddresses.ip(to), to.getPort(), src);
    else if (!u.trySend(NioAddresses.ip(to), to.getPort(), src)) return 0;
    src.position(src.limit());
    return n;
  }

  // ------------------------------------------------------------------ close

  @Override protected void implCloseSelectableChannel() throws IOException {
    UdpSocket u = udp;
    if (u != null) {
      u.removeWatcher(signal);
      u.close();
    }
    signal.run();
  }

  @Override protected void implConfigureBlocking(boolean block) {}

  // ------------------------------------------------------------------ addresses and options

  @Override public SocketAddress getLocalAddress() throws IOException {
    ensureOpen();
    return local;
  }

  InetSocketAddress localAddress() { return local; }

  @Override public SocketAddress getRemoteAddress() throws IOException {
    ensureOpen();
    return peer;
  }

  InetSocketAddress remoteAddress() { return peer; }

  @Override public <T> StackDatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
    Objects.requireNonNull(name, "name");
    if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
    if (!name.type().isInstance(value)) throw new IllegalArgumentException("Invalid value '" + value + "'");
    ensureOpen();
    if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) {
      if ((Integer) value <= 0) throw new IllegalArgumentException("Invalid send/receive buffer size " + value);
    } else if (name == StandardSocketOptions.SO_REUSEADDR) {
      reuseAddress = (Boolean) value;
    } else if (name == StandardSocketOptions.SO_BROADCAST) {
      broadcast = (Boolean) value;
    } else {
      int v = (Integer) value;
      if (v < 0 || v > 255) throw new IllegalArgumentException("Invalid IP_TOS value " + v);
      tos = v;
    }
    return this;
  }

  @SuppressWarnings("unchecked")
  @Override public <T> T getOption(SocketOption<T> name) throws IOException {
    Objects.requireNonNull(name, "name");
    if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
    ensureOpen();
    UdpSocket u = udp;
    Object v;
    if (name == StandardSocketOptions.SO_SNDBUF) {
      v = u != null ? u.sendBufferSize() : (int) Math.min(Integer.MAX_VALUE, stack.config().settings().get(Sysctl.UDP_WMEM));
    } else if (name == StandardSocketOptions.SO_RCVBUF) {
      v = u != null ? u.receiveBufferSize() : (int) Math.min(Integer.MAX_VALUE, stack.config().settings().get(Sysctl.UDP_RMEM));
    } else if (name == StandardSocketOptions.SO_REUSEADDR) {
      v = reuseAddress;
    } else if (name == StandardSocketOptions.SO_BROADCAST) {
      v = broadcast;
    } else {
      v = tos;
    }
    return (T) v;
  }

  @Override public Set<SocketOption<?>> supportedOptions() { return OPTIONS; }

  int soTimeout() { return soTimeoutMillis; }

  void soTimeout(int millis) { soTimeoutMillis = millis; }

  @Override public MembershipKey join(InetAddress group, NetworkInterface interf) throws IOException {
    throw new SocketException("multicast is not supported by the stack");
  }

  @Override public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) throws IOException {
    throw new SocketException("multicast is not supported by the stack");
  }

  @Override public DatagramSocket socket() {
    synchronized (stateLock) {
      if (socket == null) socket = new StackDatagramSocketAdapter(this);
      return socket;
    }
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!isOpen()) throw new ClosedChannelException();
  }

  private static void checkWritable(ByteBuffer dst) {
    if (dst.isReadOnly()) throw new IllegalArgumentException("Read-only buffer");
  }

  @Override public String toString() {
    if (!isOpen()) return "StackDatagramChannel[closed]";
    return "StackDatagramChannel[" + (local == null ? "unbound" : local) + (peer == null ? "" : " connected=" + peer) + "]";
  }
}
