package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.tcp.TcpConnection;
import io.tapnfs.netstack.tcp.TcpListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening TCP {@link ServerSocketChannel} on the stack: a {@link TcpListener} seen through
 * NIO. Non-blocking {@link #accept} returns null when no connection waits; blocking accept waits
 * on the channel's {@link NioSignal}. Closing unlistens, which resets the connections never
 * accepted.
 *
 * <p>Locks: {@code acceptLock} serializes accepts; {@code stateLock} guards binding. Neither is
 * held by the listener's watcher.
 */
final class StackServerSocketChannel extends ServerSocketChannel implements StackChannel {
  /** Backlog when bind is given 0 or less, as the JDK's default. */
  static final int DEFAULT_BACKLOG = 50;
  private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR);

  private final StackSelectorProvider provider;
  private final Stack stack;
  private final NioSignal signal = new NioSignal();
  private final ReentrantLock acceptLock = new ReentrantLock();
  private final Object stateLock = new Object();
  private volatile TcpListener listener;       // set once, under stateLock
  private volatile InetSocketAddress local;
  private volatile boolean reuseAddress = true;
  private volatile int soTimeoutMillis;        // for the ServerSocket adapter
  private StackServerSocketAdapter socket;     // guarded by stateLock

  StackServerSocketChannel(StackSelectorProvider provider) {
    super(provider);
    this.provider = provider;
    this.stack = provider.stack();
  }

  @Override public NioSignal signal() { return signal; }

  @Override public int readyOps() {
    TcpListener l = listener;
    return l != null && isOpen() && l.acceptable() ? SelectionKey.OP_ACCEPT : 0;
  }

  @Override public StackServerSocketChannel bind(SocketAddress address, int backlog) throws IOException {
    synchronized (stateLock) {
      ensureOpen();
      if (listener != null) throw new AlreadyBoundException();
      InetSocketAddress a = NioAddresses.local(address, stack);
      int b = backlog < 1 ? DEFAULT_BACKLOG : backlog;
      TcpListener l = NioLoop.call(stack, n -> n.tcp().listen(a.getPort(), b));
      l.addWatcher(signal);
      local = new InetSocketAddress(a.getAddress(), l.port());
      listener = l;
    }
    return this;
  }

  @Override public StackSocketChannel accept() throws IOException {
    acceptLock.lock();
    try {
      TcpListener l = bound();
      if (!isBlocking()) {
        TcpConnection c = l.poll();
        return c == null ? null : new StackSocketChannel(provider, c);
      }
      return acceptBlocking(l, 0);
    } finally {
      acceptLock.unlock();
    }
  }

  /** For the ServerSocket adapter: a blocking accept with SO_TIMEOUT. */
  StackSocketChannel acceptForAdapter() throws IOException {
    acceptLock.lock();
    try {
      if (!isBlocking()) throw new IllegalBlockingModeException();
      return acceptBlocking(bound(), soTimeoutMillis * 1_000_000L);
    } finally {
      acceptLock.unlock();
    }
  }

  private StackSocketChannel acceptBlocking(TcpListener l, long timeoutNanos) throws IOException {
    long deadline = NioSignal.deadline(timeoutNanos);
    boolean done = false;
    try {
      begin();
      while (true) {
        long g = signal.generation();
        if (!isOpen()) return null;               // end() throws AsynchronousCloseException
        TcpConnection c = l.poll();
        if (c != null) {
          done = true;
          return new StackSocketChannel(provider, c);
        }
        if (!signal.await(g, deadline)) throw new SocketTimeoutException("Accept timed out");
      }
    } finally {
      end(done);
    }
  }

  /**
   * Unlistens without waiting for the loop (so an interrupted thread can close too); a later bind
   * of the same port is a later task on the loop, so it finds the port free.
   */
  @Override protected void implCloseSelectableChannel() {
    TcpListener l = listener;
    if (l != null) {
      l.removeWatcher(signal);
      NioLoop.quietly(() -> stack.submit(n -> n.tcp().unlisten(stack.now(), l)));
    }
    signal.run();
  }

  @Override protected void implConfigureBlocking(boolean block) {}

  @Override public SocketAddress getLocalAddress() throws IOException {
    ensureOpen();
    return local;
  }

  /** The bound address (0.0.0.0 for the wildcard), or null while unbound. */
  InetSocketAddress localAddress() { return local; }

  @Override public <T> StackServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
    Objects.requireNonNull(name, "name");
    if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
    if (!name.type().isInstance(value)) throw new IllegalArgumentException("Invalid value '" + value + "'");
    ensureOpen();
    if (name == StandardSocketOptions.SO_RCVBUF) {
      if ((Integer) value <= 0) throw new IllegalArgumentException("Invalid receive buffer size " + value);
    } else {
      reuseAddress = (Boolean) value;
    }
    return this;
  }

  @SuppressWarnings("unchecked")
  @Override public <T> T getOption(SocketOption<T> name) throws IOException {
    Objects.requireNonNull(name, "name");
    if (!OPTIONS.contains(name)) throw new UnsupportedOperationException("'" + name + "' not supported");
    ensureOpen();
    Object v = name == StandardSocketOptions.SO_RCVBUF ? (Object) (int) stack.config().settings().get(Sysctl.TCP_RMEM) : reuseAddress;
    return (T) v;
  }

  @Override public Set<SocketOption<?>> supportedOptions() { return OPTIONS; }

  int soTimeout() { return soTimeoutMillis; }

  void soTimeout(int millis) { soTimeoutMillis = millis; }

  @Override public ServerSocket socket() {
    synchronized (stateLock) {
      if (socket == null) socket = new StackServerSocketAdapter(this);
      return socket;
    }
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!isOpen()) throw new ClosedChannelException();
  }

  private TcpListener bound() throws ClosedChannelException {
    ensureOpen();
    TcpListener l = listener;
    if (l == null) throw new NotYetBoundException();
    return l;
  }

  @Override public String toString() {
    if (!isOpen()) return "StackServerSocketChannel[closed]";
    InetSocketAddress l = local;
    return "StackServerSocketChannel[" + (l == null ? "unbound" : l) + "]";
  }
}
