package io.tapnfs.netstack;

/** Where a component reports a drop it decided on by itself (a timeout, an eviction). */
@FunctionalInterface
public interface DropCounter {
  void drop(DropReason reason);

  DropCounter NONE = r -> {};
}
