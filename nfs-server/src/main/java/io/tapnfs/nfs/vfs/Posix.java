package io.tapnfs.nfs.vfs;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * The few POSIX calls java.nio has no word for: mknod(2) for FIFOs, sockets and devices, and
 * statvfs(3) for the file counts of FSSTAT. x86-64/aarch64 Linux glibc layouts.
 */
final class Posix {
  interface C extends Library {
    C INSTANCE = Native.load("c", C.class);

    int mknod(String path, int mode, long dev);

    int statvfs(String path, Memory buf);
  }

  static final int S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFSOCK = 0140000;

  private Posix() {}

  /** mknod(2); @return 0 or the errno */
  static int mknod(String path, int mode, int major, int minor) {
    long dev = ((long) (major & 0xfff) << 8) | (minor & 0xff) | ((long) (minor & ~0xff) << 12) | ((long) (major & ~0xfff) << 32);
    return C.INSTANCE.mknod(path, mode, dev) == 0 ? 0 : Native.getLastError();
  }

  /** statvfs(3): {blocks*frsize, bfree*frsize, bavail*frsize, files, ffree, favail}, or null. */
  static long[] statvfs(String path) {
    Memory m = new Memory(128);
    if (C.INSTANCE.statvfs(path, m) != 0) return null;
    long frsize = m.getLong(8);
    return new long[] {m.getLong(16) * frsize, m.getLong(24) * frsize, m.getLong(32) * frsize, m.getLong(40), m.getLong(48), m.getLong(56)};
  }
}
