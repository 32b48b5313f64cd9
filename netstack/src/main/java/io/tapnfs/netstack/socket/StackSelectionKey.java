package io.tapnfs.netstack.socket;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelectionKey;

/**
 * A channel's registration with a {@link StackSelector}. The interest set may be changed from
 * any thread; a change pokes the selector, so a selection in progress sees it at once. The
 * ready set is written only by the selecting thread, with the selector's locks held.
 */
final class StackSelectionKey extends AbstractSelectionKey {
  private final StackSelector selector;
  private final AbstractSelectableChannel channel;
  private volatile int interestOps;
  private volatile int readyOps;

  StackSelectionKey(StackSelector selector, AbstractSelectableChannel channel, int ops) {
    this.selector = selector;
    this.channel = channel;
    this.interestOps = ops;
  }

  @Override public SelectableChannel channel() { return channel; }

  @Override public Selector selector() { return selector; }

  @Override public int interestOps() {
    ensureValid();
    return interestOps;
  }

  @Override public SelectionKey interestOps(int ops) {
    ensureValid();
    if ((ops & ~channel.validOps()) != 0) throw new IllegalArgumentException("invalid interest set " + ops + " for " + channel);
    interestOps = ops;
    selector.poke();
    return this;
  }

  @Override public int readyOps() {
    ensureValid();
    return readyOps;
  }

  /** The interest set without the validity check, for the selector. */
  int interest() { return interestOps; }

  int ready() { return readyOps; }

  void ready(int ops) { readyOps = ops; }

  StackChannel stackChannel() { return (StackChannel) channel; }

  private void ensureValid() {
    if (!isValid()) throw new CancelledKeyException();
  }

  @Override public String toString() {
    return "StackSelectionKey[" + (isValid() ? "interest=" + interestOps + " ready=" + readyOps : "cancelled") + " " + channel + "]";
  }
}
