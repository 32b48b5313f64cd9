package io.tapnfs.netstack.tcp;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening port with its backlog: connections in SYN-RECEIVED count against it, and
 * established ones wait in the accept queue until the application takes them. A SYN that finds
 * the backlog full is dropped and counted (the peer retries; SYN cookies come later).
 *
 * <p>The accept queue is shared with application threads under {@link #lock}.
 */
public final class TcpListener {
  final int port;
  final int backlog;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();
  private final ArrayDeque<TcpConnection> acceptQueue = new ArrayDeque<>();
  private int embryonic;          // loop only: connections in SYN-RECEIVED
  private boolean closed;
  long overflows;
  private final java.util.concurrent.CopyOnWriteArrayList<Runnable> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

  TcpListener(int port, int backlog) {
    this.port = port;
    this.backlog = backlog;
  }

  public int port() { return port; }

  /**
   * Watchers are told, with the listener's lock held, that a connection may be waiting or the
   * listener closed. Like {@link TcpConnection#addWatcher}: a watcher only pokes, never blocks.
   */
  public void addWatcher(Runnable w) { watchers.addIfAbsent(w); }

  public void removeWatcher(Runnable w) { watchers.remove(w); }

  private void signal() {
    ready.signalAll();
    for (Runnable w : watchers) w.run();
  }

  /** A connection waits in the accept queue, or the listener is closed (OP_ACCEPT). */
  public boolean acceptable() {
    lock.lock();
    try { return closed || !acceptQueue.isEmpty(); } finally { lock.unlock(); }
  }

  /** The accept backlog this listener was opened with. */
  public int backlog() { return backlog; }

  /** Loop: may another SYN be taken? */
  boolean hasRoom() {
    lock.lock();
    try {
      return !closed && embryonic + acceptQueue.size() < backlog;
    } finally {
      lock.unlock();
    }
  }

  void synReceived() { embryonic++; }

  /** Room in the accept queue itself (a SYN cookie's connection skips SYN-RECEIVED). */
  boolean acceptQueueHasRoom() {
    lock.lock();
    try {
      return !closed && acceptQueue.size() < backlog;
    } finally {
      lock.unlock();
    }
  }

  /** Loop: an established connection joins the accept queue (a SYN cookie's never counted as embryonic). */
  void enqueue(TcpConnection c) {
    lock.lock();
    try {
      acceptQueue.addLast(c);
      signal();
    } finally {
      lock.unlock();
    }
  }

  void embryonicGone() { if (embryonic > 0) embryonic--; }

  /** Loop: a passive open completed. */
  void established(TcpConnection c) {
    embryonicGone();
    enqueue(c);
  }

  int queued() {
    lock.lock();
    try { return acceptQueue.size(); } finally { lock.unlock(); }
  }

  /** Application: the next established connection, waiting at most {@code timeoutNanos} (≤0: forever). */
  public TcpConnection accept(long timeoutNanos) throws IOException {
    long deadline = timeoutNanos <= 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    lock.lock();
    try {
      while (acceptQueue.isEmpty()) {
        if (closed) throw new SocketException("Socket closed");
        try {
          if (deadline == Long.MAX_VALUE) ready.await();
          else {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new SocketTimeoutException("Accept timed out");
            ready.awaitNanos(left);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
      }
      return acceptQueue.removeFirst();
    } finally {
      lock.unlock();
    }
  }

  /** Non-blocking accept: null when none waits. */
  public TcpConnection poll() {
    lock.lock();
    try { return acceptQueue.pollFirst(); } finally { lock.unlock(); }
  }

  /** @return the connections that were never accepted, for the caller to reset */
  java.util.List<TcpConnection> close() {
    lock.lock();
    try {
      closed = true;
      signal();
      java.util.List<TcpConnection> l = new java.util.ArrayList<>(acceptQueue);
      acceptQueue.clear();
      return l;
    } finally {
      lock.unlock();
    }
  }
}
