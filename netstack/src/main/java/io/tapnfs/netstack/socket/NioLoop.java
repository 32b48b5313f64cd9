package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.Nic;
import io.tapnfs.netstack.Stack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;

/** Runs a request on the stack's loop from a channel, with the loop's failures as IOExceptions. */
final class NioLoop {
  private NioLoop() {}

  interface IoFunction<T> { T apply(Nic nic) throws IOException; }

  static <T> T call(Stack stack, IoFunction<T> f) throws IOException {
    try {
      return stack.call(n -> {
        try {
          return f.apply(n);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IllegalStateException e) {
      throw new SocketException("stack is stopped: " + e.getMessage());
    }
  }

  /** Runs {@code r} unless the stack has stopped (closing: nothing is left to tell it). */
  static void quietly(Runnable r) {
    try {
      r.run();
    } catch (IllegalStateException e) {
      // the stack stopped: its connections are gone with it
    }
  }
}
