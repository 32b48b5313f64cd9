package io.tapnfs.nfs.vfs;

import java.nio.ByteBuffer;

/** {@code statx(2)} into an {@link Attr} (struct statx is the same on every architecture). */
final class Stat {
  static final int STATX_BASIC_STATS = 0x7ff;
  private static final ThreadLocal<byte[]> BUF = ThreadLocal.withInitial(() -> new byte[256]);

  private Stat() {}

  /**
   * The attributes of {@code name} in {@code dirFd} ({@link Sys#EMPTY} with AT_EMPTY_PATH: of
   * {@code dirFd} itself), never following a symlink.
   *
   * @param fsid the export's fsid option, or null for the device number
   */
  static Attr of(int dirFd, byte[] name, int flags, Integer fsid) throws VfsException {
    byte[] b = BUF.get();
    if (Sys.statx(dirFd, name, flags | Sys.AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, b) != 0) throw Sys.fail("stat");
    return parse(Sys.le(b), fsid);
  }

  /** As {@link #of}, or null when the name does not exist. */
  static Attr ifThere(int dirFd, byte[] name, Integer fsid) throws VfsException {
    byte[] b = BUF.get();
    if (Sys.statx(dirFd, name, Sys.AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, b) != 0) {
      if (Sys.errno() == Sys.ENOENT) return null;
      throw Sys.fail("stat");
    }
    return parse(Sys.le(b), fsid);
  }

  static Attr parse(ByteBuffer v, Integer fsid) {
    int mode = v.getShort(28) & 0xffff;
    long size = v.getLong(40), blocks = v.getLong(48);
    long dev = Sys.makedev(v.getInt(136), v.getInt(140));
    return new Attr(typeOf(mode), mode & 07777, v.getInt(16) & 0xffffffffL, v.getInt(20), v.getInt(24), size, blocks * 512,
        v.getInt(128), v.getInt(132), fsid != null ? fsid & 0xffffffffL : dev, v.getLong(32), nanos(v, 64), nanos(v, 112), nanos(v, 96));
  }

  private static long nanos(ByteBuffer v, int at) { return v.getLong(at) * 1_000_000_000L + (v.getInt(at + 8) & 0xffffffffL); }

  static FileType typeOf(int mode) {
    return switch (mode & Sys.S_IFMT) {
      case Sys.S_IFDIR -> FileType.DIR;
      case Sys.S_IFLNK -> FileType.LNK;
      case Sys.S_IFCHR -> FileType.CHR;
      case Sys.S_IFBLK -> FileType.BLK;
      case Sys.S_IFSOCK -> FileType.SOCK;
      case Sys.S_IFIFO -> FileType.FIFO;
      default -> FileType.REG;
    };
  }
}
