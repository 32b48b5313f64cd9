package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.tcp.TcpConnection;
import io.tapnfs.netstack.tcp.TcpState;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP {@link SocketChannel} on the stack: a {@link TcpConnection} seen through NIO.
 *
 * <p>Non-blocking reads and writes use the connection's {@link TcpConnection#NONBLOCKING} mode.
 * Blocking ones try the same way and, when they would block, wait on the channel's
 * {@link NioSignal} (which the connection's watcher and {@link #implCloseSelectableChannel} run),
 * so closing the channel or interrupting the thread ends them as the NIO spec requires
 * (AsynchronousCloseException, ClosedByInterruptException).
 *
 * <p>Close is graceful like {@link TcpSocket#close}: queued data is sent, then a FIN; unread
 * received data (now or later: {@link TcpConnection#close}), an unfinished handshake, or SO_LINGER
 * 0 make it a reset instead. A positive SO_LINGER does not make close wait.
 *
 * <p>Locks: {@code readLock} and {@code writeLock} serialize readers and writers (one of each at a
 * time, as in the JDK) and are held around calls into the connection (whose lock comes after
 * them); {@code stateLock} guards connect/bind state changes and is never held while waiting.
 *
 * <p>{@link #bind} with a port fixes the local port of the coming connect (checked then: the
 * 4-tuple must be free and no listener may hold the port). Not supported: SO_SNDBUF/SO_RCVBUF changes (the stack's {@code tcp_wmem}/{@code tcp_rmem} decide; the
 * getters report the real sizes).
 */
final class StackSocketChannel extends SocketChannel implements StackChannel {
  private static final int UNCONNECTED = 0, PENDING = 1, CONNECTED = 2;
  private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_SNDBUF,
      StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
      StandardSocketOptions.SO_LINGER, StandardSocketOptions.TCP_NODELAY);

  private final Stack stack;
  private final NioSignal signal = new NioSignal();
  private final ReentrantLock readLock = new ReentrantLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Object stateLock = new Object();
  private volatile int state;                  // written under stateLock
  private volatile TcpConnection conn;         // set once, under stateLock
  private volatile InetSocketAddress remote;
  private volatile InetSocketAddress bound;    // written under stateLock: what bind() asked for
  private volatile boolean inputShutdown, outputShutdown;
  private volatile boolean noDelay, keepAlive, reuseAddress;
  private volatile int linger = -1;
  private volatile int soTimeoutMillis;        // for the socket adapter's streams
  private StackSocketAdapter socket;           // guarded by stateLock

  StackSocketChannel(StackSelectorProvider provider) {
    super(provider);
    this.stack = provider.stack();
  }

  /** A channel for a connection taken from a listener's accept queue. */
  StackSocketChannel(StackSelectorProvider provider, TcpConnection accepted) {
    this(provider);
    conn = accepted;
    remote = NioAddresses.of(accepted.remoteAddress(), accepted.remotePort());
    state = CONNECTED;
    accepted.addWatcher(signal);
  }

  /** Options set before the connection existed. */
  private void applyOptions(TcpConnection c) {
    if (noDelay) NioLoop.quietly(() -> c.setNoDelay(true));
    if (keepAlive) NioLoop.quietly(() -> c.setKeepAlive(true));
  }

  // ------------------------------------------------------------------ readiness

  @Override public NioSignal signal() { return signal; }

  @Override public int readyOps() {
    TcpConnection c = conn;
    if (c == null || !isOpen()) return 0;
    int s = state;
    if (s == PENDING) return c.connectFinished() ? SelectionKey.OP_CONNECT : 0;
    if (s != CONNECTED) return 0;
    int ops = 0;
    if (inputShutdown || c.readable()) ops |= SelectionKey.OP_READ;
    if (c.writable()) ops |= SelectionKey.OP_WRITE;
    return ops;
  }

  // ------------------------------------------------------------------ connecting

  @Override public StackSocketChannel bind(SocketAddress local) throws IOException {
    synchronized (stateLock) {
      ensureOpen();
      if (state == PENDING) throw new ConnectionPendingException();
      if (state == CONNECTED) throw new AlreadyConnectedException();
      if (bound != null) throw new AlreadyBoundException();
      InetSocketAddress a = NioAddresses.local(local, stack);
      bound = a;
    }
    return this;
  }

  @Override public boolean connect(SocketAddress remoteAddress) throws IOException {
    return connect(remoteAddress, 0);
  }

  /** Connects; a blocking channel waits at most {@code timeoutNanos} (≤ 0: the SYN retries decide). */
  boolean connect(SocketAddress remoteAddress, long timeoutNanos) throws IOException {
    InetSocketAddress isa;
    TcpConnection c;
    synchronized (stateLock) {
      ensureOpen();
      if (state == PENDING) throw new ConnectionPendingException();
      if (state == CONNECTED) throw new AlreadyConnectedException();
      isa = NioAddresses.remote(remoteAddress);
      int localPort = bound == null ? 0 : bound.getPort();
      c = NioLoop.call(stack, n -> n.tcp().connect(stack.now(), NioAddresses.ip(isa), isa.getPort(), localPort));
      c.addWatcher(signal);
      applyOptions(c);
      conn = c;
      remote = isa;
      state = PENDING;
      if (!isOpen()) {
        // closed meanwhile: implCloseSelectableChannel may have missed the new connection
        NioLoop.quietly(c::abort);
        throw new java.nio.channels.AsynchronousCloseException();
      }
    }
    if (!isBlocking()) return false;
    awaitConnectFinished(c, timeoutNanos);
    return finishConnect();
  }

  @Override public boolean finishConnect() throws IOException {
    ensureOpen();
    TcpConnection c;
    synchronized (stateLock) {
      if (state == CONNECTED) return true;
      if (state != PENDING) throw new NoConnectionPendingException();
      c = conn;
    }
    if (isBlocking()) awaitConnectFinished(c, 0);
    else if (!c.connectFinished()) return false;
    IOException e = c.error();
    if (e == null && c.state() == TcpState.CLOSED) e = new ConnectException("Connection refused");
    if (e != null) {
      // As the JDK does: a failed connect closes the channel.
      close();
      throw e;
    }
    synchronized (stateLock) {
      if (state == PENDING) state = CONNECTED;
    }
    return true;
  }

  private void awaitConnectFinished(TcpConnection c, long timeoutNanos) throws IOException {
    long deadline = NioSignal.deadline(timeoutNanos);
    boolean done = false, timedOut = false;
    try {
      begin();
      while (!done && !timedOut) {
        long g = signal.generation();
        if (!isOpen()) return;                    // end() reports the asynchronous close
        if (c.connectFinished()) done = true;
        else timedOut = !signal.await(g, deadline);
      }
    } finally {
      end(done || timedOut);
    }
    if (timedOut) {
      close();
      throw new SocketTimeoutException("Connect timed out");
    }
  }

  @Override public boolean isConnected() { return isOpen() && state == CONNECTED; }

  @Override public boolean isConnectionPending() { return isOpen() && state == PENDING; }

  // ------------------------------------------------------------------ reading

  @Override public int read(ByteBuffer dst) throws IOException {
    checkWritable(dst);
    readLock.lock();
    try {
      TcpConnection c = connected();
      if (inputShutdown) return -1;
      if (!dst.hasRemaining()) return 0;
      return isBlocking() ? readBlocking(c, dst, 0) : c.read(dst, TcpConnection.NONBLOCKING);
    } finally {
      readLock.unlock();
    }
  }

  @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, dsts.length);
    for (int i = offset; i < offset + length; i++) checkWritable(dsts[i]);
    readLock.lock();
    try {
      TcpConnection c = connected();
      if (inputShutdown) return -1;
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        ByteBuffer b = dsts[i];
        if (!b.hasRemaining()) continue;
        int n = total == 0 && isBlocking() ? readBlocking(c, b, 0) : c.read(b, TcpConnection.NONBLOCKING);
        if (n < 0) return total == 0 ? -1 : total;
        total += n;
        if (b.hasRemaining()) break;              // nothing more waits
      }
      return total;
    } finally {
      readLock.unlock();
    }
  }

  /** For the socket adapter's input stream: a blocking read with SO_TIMEOUT. */
  int readForStream(ByteBuffer dst) throws IOException {
    readLock.lock();
    try {
      if (!isBlocking()) throw new IllegalBlockingModeException();
      TcpConnection c = connected();
      if (inputShutdown) return -1;
      if (!dst.hasRemaining()) return 0;
      return readBlocking(c, dst, soTimeoutMillis * 1_000_000L);
    } finally {
      readLock.unlock();
    }
  }

  /** Bytes that can be read without blocking (the socket adapter's InputStream.available). */
  int available() throws IOException {
    TcpConnection c = connected();
    return inputShutdown ? 0 : c.available();
  }

  private int readBlocking(TcpConnection c, ByteBuffer dst, long timeoutNanos) throws IOException {
    long deadline = NioSignal.deadline(timeoutNanos);
    boolean done = false;
    try {
      begin();
      while (true) {
        long g = signal.generation();
        if (!isOpen()) return 0;                  // end() throws AsynchronousCloseException
        if (inputShutdown) { done = true; return -1; }
        int n = c.read(dst, TcpConnection.NONBLOCKING);
        if (n != 0) { done = true; return n; }
        if (!signal.await(g, deadline)) throw new SocketTimeoutException("Read timed out");
      }
    } finally {
      end(done);
    }
  }

  // ------------------------------------------------------------------ writing

  @Override public int write(ByteBuffer src) throws IOException {
    writeLock.lock();
    try {
      TcpConnection c = connectedForWrite();
      if (!src.hasRemaining()) return 0;
      return isBlocking() ? writeBlocking(c, src) : c.write(src, TcpConnection.NONBLOCKING);
    } finally {
      writeLock.unlock();
    }
  }

  @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, srcs.length);
    writeLock.lock();
    try {
      TcpConnection c = connectedForWrite();
      long total = 0;
      for (int i = offset; i < offset + length; i++) {
        ByteBuffer b = srcs[i];
        if (!b.hasRemaining()) continue;
        if (isBlocking()) {
          total += writeBlocking(c, b);
        } else {
          total += c.write(b, TcpConnection.NONBLOCKING);
          if (b.hasRemaining()) break;            // the send buffer is full
        }
      }
      return total;
    } finally {
      writeLock.unlock();
    }
  }

  /** Writes all of {@code src}, waiting for send-buffer space. */
  private int writeBlocking(TcpConnection c, ByteBuffer src) throws IOException {
    int total = 0;
    boolean done = false;
    try {
      begin();
      while (src.hasRemaining()) {
        long g = signal.generation();
        if (!isOpen()) return total;              // end() throws AsynchronousCloseException
        int n = c.write(src, TcpConnection.NONBLOCKING);
        total += n;
        if (n == 0) signal.await(g, Long.MAX_VALUE);
      }
      done = true;
      return total;
    } finally {
      end(done);
    }
  }

  // ------------------------------------------------------------------ shutdown and close

  @Override public StackSocketChannel shutdownInput() throws IOException {
    connected();
    inputShutdown = true;
    signal.run();
    return this;
  }

  @Override public StackSocketChannel shutdownOutput() throws IOException {
    TcpConnection c = connected();
    if (!outputShutdown) {
      outputShutdown = true;
      NioLoop.quietly(c::shutdownOutput);
    }
    signal.run();
    return this;
  }

  boolean isInputShutdown() { return inputShutdown; }

  boolean isOutputShutdown() { return outputShutdown; }

  @Override protected void implCloseSelectableChannel() {
    TcpConnection c = conn;
    if (c != null) {
      c.removeWatcher(signal);
      // Unread data: abort straight away, as TcpConnection.close would, but without first marking
      // the output closed (a FIN could then leave before the RST). Data arriving later makes
      // TcpConnection.close reset by itself.
      boolean reset = linger == 0 || !c.connectFinished() || c.available() > 0;
      NioLoop.quietly(reset ? c::abort : c::close);
    }
    signal.run();                                 // blocked threads and selectors see the close
  }

  /** Nothing to do: every operation looks at {@link #isBlocking} as it starts. */
  @Override protected void implConfigureBlocking(boolean block) {}

  // ------------------------------------------------------------------ addresses

  @Override public SocketAddress getLocalAddress() throws IOException {
    ensureOpen();
    return localAddress();
  }

  /** The local address, or null while unbound; the port is 0 until connect picks one. */
  InetSocketAddress localAddress() {
    TcpConnection c = conn;
    return c != null ? NioAddresses.of(c.localAddress(), c.localPort()) : bound;
  }

  @Override public SocketAddress getRemoteAddress() throws IOException {
    ensureOpen();
    return remote;
  }

  InetSocketAddress remoteAddress() { return remote; }

  // ------------------------------------------------------------------ options

  @Override public <T> StackSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
    Objects.requireNonNull(name, "name");
    if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
    if (!name.type().isInstance(value)) throw new IllegalArgumentException("Invalid value '" + value + "'");
    ensureOpen();
    if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) {
      if ((Integer) value <= 0) throw new IllegalArgumentException("Invalid send/receive buffer size " + value);
      // a hint: the stack's buffers are sized by its settings
    } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
      keepAlive = (Boolean) value;
      TcpConnection c = conn;
      if (c != null) NioLoop.quietly(() -> c.setKeepAlive((Boolean) value));
    } else if (name == StandardSocketOptions.SO_REUSEADDR) {
      reuseAddress = (Boolean) value;
    } else if (name == StandardSocketOptions.SO_LINGER) {
      linger = Math.max(-1, (Integer) value);
    } else if (name == StandardSocketOptions.TCP_NODELAY) {
      noDelay = (Boolean) value;
      TcpConnection c = conn;
      if (c != null) NioLoop.quietly(() -> c.setNoDelay((Boolean) value));
    }
    return this;
  }

  @SuppressWarnings("unchecked")
  @Override public <T> T getOption(SocketOption<T> name) throws IOException {
    Objects.requireNonNull(name, "name");
    if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
    ensureOpen();
    TcpConnection c = conn;
    Object v;
    if (name == StandardSocketOptions.SO_SNDBUF) {
      v = c != null ? c.sendBufferSize() : (int) stack.config().settings().get(Sysctl.TCP_WMEM);
    } else if (name == StandardSocketOptions.SO_RCVBUF) {
      v = c != null ? c.receiveBufferSize() : (int) stack.config().settings().get(Sysctl.TCP_RMEM);
    } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
      v = keepAlive;
    } else if (name == StandardSocketOptions.SO_REUSEADDR) {
      v = reuseAddress;
    } else if (name == StandardSocketOptions.SO_LINGER) {
      v = linger;
    } else {
      v = noDelay;
    }
    return (T) v;
  }

  @Override public Set<SocketOption<?>> supportedOptions() { return OPTIONS; }

  int soTimeout() { return soTimeoutMillis; }

  void soTimeout(int millis) { soTimeoutMillis = millis; }

  @Override public Socket socket() {
    synchronized (stateLock) {
      if (socket == null) {
        try {
          socket = new StackSocketAdapter(this);
        } catch (java.net.SocketException e) {
          throw new java.io.UncheckedIOException(e);   // Socket(SocketImpl) checks nothing we could fail
        }
      }
      return socket;
    }
  }

  // ------------------------------------------------------------------ checks

  private void ensureOpen() throws ClosedChannelException {
    if (!isOpen()) throw new ClosedChannelException();
  }

  private TcpConnection connected() throws ClosedChannelException {
    ensureOpen();
    if (state != CONNECTED) throw new NotYetConnectedException();
    return conn;
  }

  private TcpConnection connectedForWrite() throws ClosedChannelException {
    TcpConnection c = connected();
    if (outputShutdown) throw new ClosedChannelException();
    return c;
  }

  private static void checkWritable(ByteBuffer dst) {
    if (dst.isReadOnly()) throw new IllegalArgumentException("Read-only buffer");
  }

  @Override public String toString() {
    StringBuilder b = new StringBuilder("StackSocketChannel[");
    if (!isOpen()) return b.append("closed]").toString();
    b.append(state == CONNECTED ? "connected" : state == PENDING ? "connection-pending" : "unconnected");
    InetSocketAddress l = localAddress();
    if (l != null) b.append(" local=").append(l);
    if (remote != null) b.append(" remote=").append(remote);
    return b.append(']').toString();
  }
}
