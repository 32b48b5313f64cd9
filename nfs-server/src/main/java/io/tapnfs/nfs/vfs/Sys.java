package io.tapnfs.nfs.vfs;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The Linux system calls of the file-system core, in one place (JNA direct mapping, glibc
 * 2.30+, kernel 5.8+ for faccessat2; x86-64 and aarch64). Each call returns what the kernel
 * returned; {@link #errno()} gives the error of the last failed call on this thread. Names are
 * passed as NUL-terminated bytes ({@link #name}), never decoded paths.
 *
 * <p>Which calls may run under a client's credentials and which only as the server: see
 * {@link Creds} and {@link KernelVfs}.
 */
final class Sys {
  static {
    Native.register(Sys.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
  }

  private Sys() {}

  // ------------------------------------------------------------------ constants (asm-generic / x86-64)
  static final boolean AARCH64 = Platform.isARM() && Platform.is64Bit();
  static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 04000, O_CLOEXEC = 02000000, O_PATH = 010000000;
  static final int O_DIRECTORY = AARCH64 ? 040000 : 0200000;
  static final int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
  static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EACCESS = 0x200,
      AT_SYMLINK_FOLLOW = 0x400, AT_EMPTY_PATH = 0x1000;
  static final int R_OK = 4, W_OK = 2, X_OK = 1;
  static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFDIR = 0040000, S_IFLNK = 0120000, S_IFIFO = 0010000,
      S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFSOCK = 0140000;
  static final int SEEK_SET = 0;
  static final int CLONE_FS = 0x200;
  static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;
  static final int MAX_HANDLE_SZ = 128;

  static final int EPERM = 1, ENOENT = 2, EIO = 5, ENXIO = 6, EBADF = 9, EAGAIN = 11, EACCES = 13, EBUSY = 16,
      EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ETXTBSY = 26, EFBIG = 27,
      ENOSPC = 28, EROFS = 30, EMLINK = 31, ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40,
      EOVERFLOW = 75, ENOMEM = 12, EMFILE = 24, ENFILE = 23, EOPNOTSUPP = 95, ESTALE = 116, EDQUOT = 122;

  private static final long SYS_SETGROUPS = AARCH64 ? 159 : 116;
  private static final long SYS_FACCESSAT2 = 439, SYS_FCHMODAT2 = 452;

  // ------------------------------------------------------------------ glibc entry points
  static native int openat(int dirfd, byte[] name, int flags, int mode);

  static native int open(byte[] path, int flags, int mode);

  static native int close(int fd);

  static native int name_to_handle_at(int dirfd, byte[] name, byte[] handle, int[] mountId, int flags);

  static native int open_by_handle_at(int mountFd, byte[] handle, int flags);

  static native int statx(int dirfd, byte[] name, int flags, int mask, byte[] buf);

  static native int mkdirat(int dirfd, byte[] name, int mode);

  static native int mknodat(int dirfd, byte[] name, int mode, long dev);

  static native int symlinkat(byte[] target, int dirfd, byte[] name);

  static native int linkat(int olddirfd, byte[] oldname, int newdirfd, byte[] newname, int flags);

  static native int renameat2(int olddirfd, byte[] oldname, int newdirfd, byte[] newname, int flags);

  static native int unlinkat(int dirfd, byte[] name, int flags);

  static native int fchownat(int dirfd, byte[] name, int uid, int gid, int flags);

  static native int fchmodat(int dirfd, byte[] name, int mode, int flags);

  static native int utimensat(int dirfd, byte[] name, long[] times, int flags);

  static native long readlinkat(int dirfd, byte[] name, byte[] buf, long size);

  static native long getdents64(int fd, byte[] buf, long count);

  static native long lseek(int fd, long offset, int whence);

  static native long pread(int fd, byte[] buf, long count, long offset);

  static native long pwrite(int fd, byte[] buf, long count, long offset);

  static native int ftruncate(int fd, long length);

  static native int fsync(int fd);

  static native int fdatasync(int fd);

  static native int syncfs(int fd);

  static native int fstatvfs(int fd, byte[] buf);

  static native int setfsuid(int uid);

  static native int setfsgid(int gid);

  static native int getgroups(int size, int[] list);

  static native int unshare(int flags);

  static native int umask(int mask);

  static native int geteuid();

  static native long syscall(long number, long a, int[] b);

  static native long syscall(long number, int a, byte[] b, int c, int d);

  // ------------------------------------------------------------------ helpers

  /** errno of this thread's last failed call (JNA keeps it per thread). */
  static int errno() { return Native.getLastError(); }

  /** The raw setgroups(2) system call: this thread only (glibc's wrapper changes every thread). */
  static int setgroupsThisThread(int[] gids) { return (int) syscall(SYS_SETGROUPS, gids.length, gids); }

  /** faccessat2(2) with AT_EACCESS: the kernel's own permission check with this thread's fsuid, fsgid and groups. */
  static int faccessat2(int dirfd, byte[] name, int mode, int flags) { return (int) syscall(SYS_FACCESSAT2, dirfd, name, mode, flags); }

  /** fchmodat2(2) (Linux 6.6): honours AT_EMPTY_PATH, so an O_PATH descriptor can be chmod'ed. */
  static int fchmodat2(int dirfd, byte[] name, int mode, int flags) { return (int) syscall(SYS_FCHMODAT2, dirfd, name, mode, flags); }

  static final byte[] EMPTY = {0};

  /** A NUL-terminated UTF-8 name for a system call. */
  static byte[] name(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] z = new byte[b.length + 1];
    System.arraycopy(b, 0, z, 0, b.length);
    return z;
  }

  /** /proc/self/fd/N: re-opens what an O_PATH descriptor names, with a permission check as the caller. */
  static byte[] procFd(int fd) { return name("/proc/self/fd/" + fd); }

  static ByteBuffer le(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()); }

  /** makedev(3) of glibc. */
  static long makedev(int major, int minor) {
    return ((long) (major & 0xfff) << 8) | (minor & 0xff) | ((long) (minor & ~0xff) << 12) | ((long) (major & ~0xfff) << 32);
  }

  /** strerror-like name for messages. */
  static String errName(int e) {
    return switch (e) {
      case EPERM -> "EPERM"; case ENOENT -> "ENOENT"; case EIO -> "EIO"; case EBADF -> "EBADF"; case EACCES -> "EACCES";
      case EEXIST -> "EEXIST"; case EXDEV -> "EXDEV"; case ENOTDIR -> "ENOTDIR"; case EISDIR -> "EISDIR";
      case EINVAL -> "EINVAL"; case ENOSPC -> "ENOSPC"; case EROFS -> "EROFS"; case EMLINK -> "EMLINK";
      case ENAMETOOLONG -> "ENAMETOOLONG"; case ENOTEMPTY -> "ENOTEMPTY"; case ELOOP -> "ELOOP"; case ESTALE -> "ESTALE";
      case EOPNOTSUPP -> "EOPNOTSUPP"; case EDQUOT -> "EDQUOT"; case EFBIG -> "EFBIG"; case ENOSYS -> "ENOSYS";
      case ENOMEM -> "ENOMEM"; case EMFILE -> "EMFILE"; case ENFILE -> "ENFILE"; case EAGAIN -> "EAGAIN"; case ETXTBSY -> "ETXTBSY";
      default -> "errno " + e;
    };
  }

  /** The NFS error for an errno (RFC 1813 §2.6; knfsd's nfserrno table). */
  static Errno toErrno(int e) {
    return switch (e) {
      case EPERM -> Errno.PERM;
      case ENOENT -> Errno.NOENT;
      case ENXIO, ENODEV -> Errno.NXIO;
      case EACCES -> Errno.ACCES;
      case EEXIST -> Errno.EXIST;
      case EXDEV -> Errno.XDEV;
      case ENOTDIR, ELOOP -> Errno.NOTDIR;
      case EISDIR -> Errno.ISDIR;
      case EINVAL, EOVERFLOW -> Errno.INVAL;
      case EFBIG -> Errno.FBIG;
      case ENOSPC -> Errno.NOSPC;
      case EROFS -> Errno.ROFS;
      case EMLINK -> Errno.MLINK;
      case ENAMETOOLONG -> Errno.NAMETOOLONG;
      case ENOTEMPTY -> Errno.NOTEMPTY;
      case EDQUOT -> Errno.DQUOT;
      case ESTALE -> Errno.STALE;
      case EOPNOTSUPP -> Errno.NOTSUPP;
      case EAGAIN, ENOMEM, EMFILE, ENFILE -> Errno.JUKEBOX;   // knfsd: try again later
      default -> Errno.IO;
    };
  }

  /** A VfsException for the errno of the call that just failed. */
  static VfsException fail(String what) {
    int e = errno();
    return new VfsException(toErrno(e), what + ": " + errName(e));
  }
}
