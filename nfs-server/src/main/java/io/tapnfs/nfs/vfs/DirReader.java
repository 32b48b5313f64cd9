package io.tapnfs.nfs.vfs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of a directory listing: the directory re-opened as the caller (the kernel checks read
 * permission), one {@code lseek} to the cookie and {@code getdents64} until the page is full.
 * Cookies are the file system's own directory offsets ({@code d_off}: "resume after this
 * entry"), as knfsd uses them; ext4 (hash order, 63 bits), xfs, btrfs and tmpfs (Linux 6.6+)
 * keep them stable while entries come and go, so a listing never skips or repeats an entry that
 * stays and never loops, and a whole directory costs O(N) however it is paged. "." and ".."
 * come as the file system gives them; ".." of the export root is the root itself.
 */
final class DirReader {
  static final int BUF = 32 * 1024;
  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[BUF]);

  private DirReader() {}

  /** Runs as the caller (a credential scope is active). */
  static Vfs.DirList read(KernelVfs vfs, KernelVfs.Held d, Fh dirFh, long cookie, int maxEntries, boolean plus) throws VfsException {
    int fd = Sys.open(Sys.procFd(d.fd()), Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_CLOEXEC, 0);
    if (fd < 0) throw Sys.fail("open directory");
    try {
      if (cookie != 0 && Sys.lseek(fd, cookie, Sys.SEEK_SET) < 0) throw new VfsException(Errno.BAD_COOKIE, "cookie " + cookie);
      List<Vfs.DirEntry> out = new ArrayList<>(Math.min(maxEntries, 1024));
      byte[] buf = BUFFER.get();
      boolean root = d.attr().fileid() == vfs.rootIno();
      while (true) {
        long n = Sys.getdents64(fd, buf, buf.length);
        if (n < 0) throw Sys.fail("getdents64");
        if (n == 0) return new Vfs.DirList(out, true, d.attr().mtimeNanos());
        ByteBuffer b = Sys.le(buf);
        for (int at = 0; at < n; ) {
          long ino = b.getLong(at), off = b.getLong(at + 8);
          int reclen = b.getShort(at + 16) & 0xffff;
          int end = at + 19;
          while (end < at + reclen && buf[end] != 0) end++;
          String name = new String(buf, at + 19, end - (at + 19), StandardCharsets.UTF_8);
          if (out.size() >= maxEntries) return new Vfs.DirList(out, false, d.attr().mtimeNanos());
          out.add(entry(vfs, d, dirFh, fd, buf, at + 19, end, name, ino, off, root, plus));
          at += reclen;
        }
      }
    } finally {
      Sys.close(fd);
    }
  }

  private static Vfs.DirEntry entry(KernelVfs vfs, KernelVfs.Held d, Fh dirFh, int fd, byte[] buf, int from, int to, String name,
      long ino, long cookie, boolean root, boolean plus) {
    if (name.equals(".")) return new Vfs.DirEntry(name, d.attr().fileid(), cookie, plus ? dirFh : null, plus ? d.attr() : null);
    if (name.equals("..")) {
      if (root) return new Vfs.DirEntry(name, d.attr().fileid(), cookie, plus ? dirFh : null, plus ? d.attr() : null);
      return new Vfs.DirEntry(name, ino, cookie, null, null);
    }
    if (!plus) return new Vfs.DirEntry(name, ino, cookie, null, null);
    byte[] z = new byte[to - from + 1];
    System.arraycopy(buf, from, z, 0, to - from);
    Fh fh = vfs.handleOfEntry(fd, z);
    Attr a = null;
    if (fh != null) {
      try {
        a = Stat.of(fd, z, 0, vfs.fsid());
      } catch (VfsException e) {
        fh = null;                                           // vanished meanwhile
      }
    }
    return new Vfs.DirEntry(name, a != null ? a.fileid() : ino, cookie, fh, a);
  }
}
