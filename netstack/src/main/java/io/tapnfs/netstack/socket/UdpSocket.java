package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.StackSettings;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.udp.UdpReceiver;
import io.tapnfs.netstack.udp.UdpRepr;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A UDP socket on the stack, for application threads: bind, send to, receive with a timeout.
 *
 * <p>Receive: the loop appends copies to a queue bounded by {@code udp_rmem} bytes (overflow is
 * dropped and counted by UDP as a receive-buffer error); readers block on it. Send: the payload is
 * copied and handed to the loop; a sender blocks while more than {@code udp_wmem} bytes of its
 * datagrams wait for the loop, as a kernel socket blocks on a full send buffer.
 *
 * <p>Thread-safe. The queue's lock is the only lock shared with the loop and is held briefly.
 */
public final class UdpSocket implements Closeable {
  private final Stack stack;
  private volatile int port;
  private final long rmem;
  private final Semaphore sendBudget;
  private final int wmem;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
  private final Receiver receiver = new Receiver();
  private long queuedBytes;
  private long drops;
  private boolean closed;
  private final java.util.concurrent.CopyOnWriteArrayList<Runnable> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

  private UdpSocket(Stack stack, StackSettings s) {
    this.stack = stack;
    this.rmem = s.get(Sysctl.UDP_RMEM);
    this.wmem = (int) Math.min(Integer.MAX_VALUE, s.get(Sysctl.UDP_WMEM));
    this.sendBudget = new Semaphore(wmem);
  }

  /** Binds {@code port} on the stack (0: ephemeral). */
  public static UdpSocket open(Stack stack, int port) throws IOException {
    UdpSocket s = new UdpSocket(stack, stack.config().settings());
    s.port = stack.call(n -> {
      try {
        return n.udp().bind(port, s.receiver);
      } catch (BindException e) {
        throw new UncheckedIOException(e);
      }
    });
    return s;
  }

  public int localPort() { return port; }

  /**
   * Watchers are told, with the socket's lock held, that a datagram arrived or the socket closed.
   * A watcher only pokes (unpark, release a permit); it never blocks or calls back in.
   */
  public void addWatcher(Runnable w) { watchers.addIfAbsent(w); }

  public void removeWatcher(Runnable w) { watchers.remove(w); }

  /** A datagram waits, or the socket is closed (OP_READ). */
  public boolean readable() {
    lock.lock();
    try { return closed || !queue.isEmpty(); } finally { lock.unlock(); }
  }

  /** Receive queue limit in bytes (SO_RCVBUF). */
  public int receiveBufferSize() { return (int) Math.min(Integer.MAX_VALUE, rmem); }

  /** Send budget in bytes (SO_SNDBUF). */
  public int sendBufferSize() { return wmem; }

  public boolean isClosed() {
    lock.lock();
    try { return closed; } finally { lock.unlock(); }
  }

  public Ipv4Address localAddress() { return stack.config().address().address(); }

  /** Sends one datagram. Blocks only while the send budget is used up (at most 10 s). */
  public void send(Ipv4Address dst, int dstPort, ByteBuffer payload) throws IOException {
    if (!send(dst, dstPort, payload, true)) throw new SocketTimeoutException("send buffer stayed full for 10 s");
  }

  /**
   * Sends one datagram if the send budget has room now, without waiting.
   * @return false, with nothing sent, when the budget is used up
   */
  public boolean trySend(Ipv4Address dst, int dstPort, ByteBuffer payload) throws IOException {
    return send(dst, dstPort, payload, false);
  }

  /** The send budget has room for a datagram (OP_WRITE). */
  public boolean writable() { return sendBudget.availablePermits() > 0 || isClosed(); }

  private boolean send(Ipv4Address dst, int dstPort, ByteBuffer payload, boolean wait) throws IOException {
    if (dstPort <= 0 || dstPort > 65535) throw new SocketException("bad destination port " + dstPort);
    int n = payload.remaining();
    if (n > UdpRepr.MAX_PAYLOAD) throw new SocketException("Message too long (" + n + " > " + UdpRepr.MAX_PAYLOAD + ")");
    checkOpen();
    int cost = Math.min(n + 1, wmem);
    try {
      if (!(wait ? sendBudget.tryAcquire(cost, 10, TimeUnit.SECONDS) : sendBudget.tryAcquire(cost))) return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException();
    }
    ByteBuffer copy = ByteBuffer.allocate(n);
    copy.put(0, payload, payload.position(), n);
    try {
      stack.submit(nic -> {
        try {
          nic.udp().send(stack.now(), port, dst, dstPort, copy);
        } finally {
          sendBudget.release(cost);
          for (Runnable w : watchers) w.run();        // room again: OP_WRITE
        }
      });
    } catch (IllegalStateException e) {
      sendBudget.release(cost);
      throw new SocketException(e.getMessage());
    }
    return true;
  }

  /**
   * Waits for a datagram.
   * @param timeout how long at most; null or zero waits forever
   * @throws SocketTimeoutException when none came in time
   */
  public Datagram receive(Duration timeout) throws IOException {
    long deadline = timeout == null || timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (queue.isEmpty()) {
        if (closed) throw new SocketException("Socket closed");
        long left = deadline - System.nanoTime();
        if (deadline != Long.MAX_VALUE && left <= 0) throw new SocketTimeoutException("Receive timed out");
        try {
          if (deadline == Long.MAX_VALUE) readable.await(); else readable.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException();
        }
      }
      return take();
    } finally {
      lock.unlock();
    }
  }

  /** Takes a datagram if one waits, else null. Never blocks. */
  public Datagram poll() {
    lock.lock();
    try {
      return queue.isEmpty() ? null : take();
    } finally {
      lock.unlock();
    }
  }

  private Datagram take() {
    Datagram d = queue.removeFirst();
    queuedBytes -= d.payload().remaining();
    return d;
  }

  /** Datagrams this socket dropped because its queue was full. */
  public long drops() {
    lock.lock();
    try { return drops; } finally { lock.unlock(); }
  }

  private void checkOpen() throws SocketException {
    lock.lock();
    try { if (closed) throw new SocketException("Socket closed"); } finally { lock.unlock(); }
  }

  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (closed) return;
      closed = true;
      readable.signalAll();
      for (Runnable w : watchers) w.run();
    } finally {
      lock.unlock();
    }
    if (stack.isRunning()) {
      try {
        stack.call(n -> { n.udp().unbind(port, receiver); return null; });
      } catch (IllegalStateException e) {
        // stack stopped meanwhile: nothing to unbind
      }
    }
  }

  /** The loop's side of the socket. */
  private final class Receiver implements UdpReceiver {
    @Override
    public boolean offer(Ipv4Address src, int srcPort, Ipv4Address dst, ByteBuffer payload) {
      int n = payload.remaining();
      lock.lock();
      try {
        if (closed) return false;
        // Like Linux, one datagram may always be queued even if it alone exceeds the budget.
        if (!queue.isEmpty() && queuedBytes + n > rmem) { drops++; return false; }
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(0, payload, payload.position(), n);
        queue.addLast(new Datagram(src, srcPort, dst, copy.asReadOnlyBuffer()));
        queuedBytes += n;
        readable.signal();
        for (Runnable w : watchers) w.run();
        return true;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public long queuedBytes() {
      lock.lock();
      try { return queuedBytes; } finally { lock.unlock(); }
    }
  }
}
