package io.tapnfs.netstack.socket;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelectionKey;
import java.nio.channels.spi.AbstractSelector;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A level-triggered selector over the stack's channels.
 *
 * <p>A selection operation ({@code select}, {@code selectNow}) loops: deregister the cancelled
 * keys; ask every registered channel for its readiness now ({@link StackChannel#readyOps}) and
 * update the selected-key set as {@link java.nio.channels.Selector} specifies; return if a key is
 * ready for an operation of interest (even if its ready set did not grow, like epoll), if
 * {@link #wakeup} was called, on interruption or at the timeout; otherwise park until poked. A
 * channel pokes each selector it is registered with whenever its readiness may have changed (its
 * {@link NioSignal}); so do {@link #wakeup}, a registration and an interest-set change.
 *
 * <p>No lost wake-ups: the selecting thread clears {@code poked} before the scan and parks only if
 * it is still clear afterwards; a poke sets it and then unparks the thread. {@link #wakeup} also
 * sets {@code wakeupPending}, which the next selection operation consumes (so a wakeup before a
 * select makes it return at once); {@code selectNow} clears it, as specified.
 *
 * <p>A channel may be registered with several selectors at once (Grizzly moves channels to a new
 * selector, and uses temporary selectors for blocking I/O): each key pokes only its own selector.
 *
 * <p>Locks, always taken in this order:
 * <ol>
 *   <li>the selector's monitor, then its selected-key set's monitor: held by a selection operation
 *       for its whole length, including while parked (as the JDK does), and by {@link #close};</li>
 *   <li>a channel's key lock ({@link AbstractSelectableChannel}), taken by {@code deregister}
 *       when cancelled keys are processed;</li>
 *   <li>a TCP connection's, listener's or UDP socket's lock, taken by {@code readyOps}; whoever
 *       holds one may run the watchers, which only poke (an atomic write and an unpark).</li>
 * </ol>
 * Leaves, held briefly and never while calling out: {@code regLock} (registration against close)
 * and the cancelled-key set's monitor. {@code register} runs with the channel's key lock held
 * (by {@link AbstractSelectableChannel#register}) and takes only {@code regLock}, never the
 * selector's monitor, so registering never waits for a selection in progress.
 */
final class StackSelector extends AbstractSelector {
  private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
  private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
  private final Set<SelectionKey> selected = new HashSet<>();
  private final Set<SelectionKey> publicSelected = new Ungrowable(selected);
  private final ReentrantLock regLock = new ReentrantLock();
  private boolean closedForRegistration;               // guarded by regLock
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private volatile boolean poked;
  private volatile Thread selecting;
  /** This selector's poke, added to the {@link NioSignal} of every channel registered with it. */
  private final Runnable poke = this::poke;

  StackSelector(StackSelectorProvider provider) { super(provider); }

  @Override public Set<SelectionKey> keys() {
    ensureOpen();
    return publicKeys;
  }

  @Override public Set<SelectionKey> selectedKeys() {
    ensureOpen();
    return publicSelected;
  }

  @Override public int selectNow() throws IOException { return select(-1L, true); }

  @Override public int select() throws IOException { return select(0L, false); }

  @Override public int select(long timeout) throws IOException {
    if (timeout < 0) throw new IllegalArgumentException("Negative timeout");
    return select(TimeUnit.MILLISECONDS.toNanos(timeout), false);
  }

  @Override public StackSelector wakeup() {
    wakeupPending.set(true);
    poke();
    return this;
  }

  /** Readiness may have changed: make the selecting thread scan again. Any thread; lock-free. */
  void poke() {
    poked = true;
    Thread t = selecting;
    if (t != null) LockSupport.unpark(t);
  }

  /** @param timeoutNanos 0: no timeout; ignored for selectNow */
  private int select(long timeoutNanos, boolean now) throws IOException {
    synchronized (this) {
      ensureOpen();
      synchronized (publicSelected) {
        if (now) wakeupPending.set(false);
        long deadline = NioSignal.deadline(timeoutNanos);
        Thread me = Thread.currentThread();
        selecting = me;
        try {
          begin();          // an interrupt wakes us (AbstractSelector calls wakeup())
          while (true) {
            poked = false;
            boolean woken = wakeupPending.getAndSet(false);
            processCancelledKeys();
            int updated = 0;
            boolean ready = false;
            for (SelectionKey sk : keys) {
              StackSelectionKey k = (StackSelectionKey) sk;
              if (!k.isValid()) continue;
              int ops = k.stackChannel().readyOps() & k.interest();
              if (ops == 0) continue;
              ready = true;
              updated += update(k, ops);
            }
            if (ready || woken || now || me.isInterrupted()) return updated;
            if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0) return updated;
            if (!poked) {
              if (deadline == Long.MAX_VALUE) LockSupport.park(this);
              else LockSupport.parkNanos(this, deadline - System.nanoTime());
            }
          }
        } finally {
          end();
          selecting = null;
        }
      }
    }
  }

  /** Selector spec, selection step 2. @return 1 if the key's ready set was set or grew */
  private int update(StackSelectionKey k, int ops) {
    if (selected.add(k)) {
      k.ready(ops);
      return 1;
    }
    int old = k.ready();
    if ((old | ops) == old) return 0;
    k.ready(old | ops);
    return 1;
  }

  /**
   * Selection step 1: cancelled keys leave both key sets and their channels. Keys cancelled
   * during the scan wait for the next operation (as the JDK's epoll selector does), so the count
   * returned always matches the keys added to the selected set.
   */
  private void processCancelledKeys() {
    Set<SelectionKey> cancelled = cancelledKeys();
    List<SelectionKey> todo;
    synchronized (cancelled) {
      if (cancelled.isEmpty()) return;
      todo = new ArrayList<>(cancelled);
      cancelled.clear();
    }
    for (SelectionKey k : todo) {
      keys.remove(k);
      selected.remove(k);
      forget((StackSelectionKey) k);
    }
  }

  /**
   * Stops the channel poking this selector, then deregisters the key. In that order: the channel
   * cannot be registered here again before the key leaves it, so a new key's poke is never lost.
   */
  private void forget(StackSelectionKey k) {
    k.stackChannel().signal().removeSelector(poke);
    deregister(k);
  }

  @Override
  protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
    if (!(ch instanceof StackChannel sc) || ch.provider() != provider()) throw new IllegalSelectorException();
    StackSelectionKey k = new StackSelectionKey(this, ch, ops);
    k.attach(attachment);
    regLock.lock();
    try {
      if (closedForRegistration) throw new ClosedSelectorException();
      keys.add(k);
      sc.signal().addSelector(poke);
    } finally {
      regLock.unlock();
    }
    poke();
    return k;
  }

  /**
   * Wakes a selection in progress, waits for it to end, then invalidates every key and
   * deregisters its channel.
   */
  @Override
  protected void implCloseSelector() throws IOException {
    wakeup();
    synchronized (this) {
      synchronized (publicSelected) {
        List<SelectionKey> all;
        regLock.lock();
        try {
          closedForRegistration = true;
          all = new ArrayList<>(keys);
          keys.clear();
        } finally {
          regLock.unlock();
        }
        selected.clear();
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
          cancelled.clear();
        }
        for (SelectionKey k : all) forget((StackSelectionKey) k);
      }
    }
  }

  private void ensureOpen() {
    if (!isOpen()) throw new ClosedSelectorException();
  }

  @Override public String toString() {
    return "StackSelector[" + (isOpen() ? keys.size() + " keys" : "closed") + "]";
  }

  /** The selected-key set as users see it: removal allowed, addition not (Selector spec). */
  private static final class Ungrowable extends AbstractSet<SelectionKey> {
    private final Set<SelectionKey> s;

    Ungrowable(Set<SelectionKey> s) { this.s = s; }

    @Override public Iterator<SelectionKey> iterator() { return s.iterator(); }
    @Override public int size() { return s.size(); }
    @Override public boolean contains(Object o) { return s.contains(o); }
    @Override public boolean remove(Object o) { return s.remove(o); }
    @Override public void clear() { s.clear(); }
    @Override public boolean add(SelectionKey k) { throw new UnsupportedOperationException("keys cannot be added to the selected-key set"); }
  }
}
