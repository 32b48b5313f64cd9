package io.tapnfs.netstack.socket;

/**
 * What {@link StackSelector} needs from a channel of {@link StackSelectorProvider}: its readiness
 * now, and the signal that says it may have changed.
 */
interface StackChannel {
  /**
   * The operations the channel is ready for now (level-triggered), a subset of its valid
   * operations; 0 once closed. May take the connection's lock briefly; never blocks otherwise.
   */
  int readyOps();

  NioSignal signal();
}
