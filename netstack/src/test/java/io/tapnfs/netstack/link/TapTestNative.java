package io.tapnfs.netstack.link;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/** libc calls only the TAP tests need: a private network namespace per thread, and thread ids. */
final class TapTestNative {
  static {
    Native.register(TapTestNative.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
  }

  private TapTestNative() {}

  /** sched.h: unshare(2) flag for a new network namespace. */
  static final int CLONE_NEWNET = 0x40000000;

  static native int unshare(int flags);

  static native int gettid();
}
