package io.tapnfs.netstack.link;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc calls the TAP link needs, bound by JNA direct mapping ({@code Native.register}): a
 * JNI stub per method, no proxy, no per-call reflection. After a call returns -1 the thread's
 * errno is in {@link Native#getLastError()} (JNA saves it for direct-mapped calls too).
 *
 * <p>Buffers on the hot path ({@link #read}, {@link #write}) are passed as raw addresses
 * ({@code long}), because JNA passes a direct {@code Buffer} as the address of its start and
 * ignores its position. A {@code long} is a pointer only on LP64, hence the check below. Constants
 * are the asm-generic values shared by x86_64 and aarch64 (not valid on alpha, mips, sparc).
 */
final class LibC {
  static {
    if (!Platform.isLinux() || Native.POINTER_SIZE != 8 || Native.LONG_SIZE != 8)
      throw new UnsupportedOperationException("the TAP link needs 64-bit Linux, not " + System.getProperty("os.name")
          + "/" + System.getProperty("os.arch"));
    Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
  }

  private LibC() {}

  // fcntl.h, asm-generic/fcntl.h
  static final int O_RDWR = 0x2, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
  // sys/eventfd.h: same bits as O_NONBLOCK and O_CLOEXEC
  static final int EFD_NONBLOCK = O_NONBLOCK, EFD_CLOEXEC = O_CLOEXEC;
  // sys/socket.h
  static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = O_CLOEXEC;
  // poll.h; struct pollfd { int fd; short events; short revents; } is 8 bytes
  static final short POLLIN = 0x1;
  static final int POLLFD_SIZE = 8, POLLFD_EVENTS = 4, POLLFD_REVENTS = 6;
  // asm-generic/errno-base.h, errno.h
  static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, ENXIO = 6, EAGAIN = 11, EACCES = 13, EBUSY = 16,
      ENODEV = 19, EINVAL = 22, EBADFD = 77;

  static native int open(String path, int flags);

  static native int close(int fd);

  /** read(2) into the {@code count} bytes at address {@code buf}; returns ssize_t. */
  static native long read(int fd, long buf, long count);

  /** write(2) from the {@code count} bytes at address {@code buf}; returns ssize_t. */
  static native long write(int fd, long buf, long count);

  /** readv(2) into {@code iovcnt} struct iovec (base, length: 16 bytes each) at address {@code iov}. */
  static native long readv(int fd, long iov, int iovcnt);

  /** writev(2) from {@code iovcnt} struct iovec at address {@code iov}; returns ssize_t. */
  static native long writev(int fd, long iov, int iovcnt);

  static native int ioctl(int fd, NativeLong request, Pointer arg);

  static native int poll(Pointer fds, int nfds, int timeoutMs);

  static native int eventfd(int initval, int flags);

  static native int socket(int domain, int type, int protocol);

  static native String strerror(int errnum);

  /** The text of errno {@code e}, e.g. {@code Device or resource busy}. */
  static String errorText(int e) {
    String s = strerror(e);
    return s != null ? s : "errno " + e;
  }

  /** The address of the first byte of a direct buffer (not of its position). */
  static long address(java.nio.ByteBuffer direct) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
  }
}
