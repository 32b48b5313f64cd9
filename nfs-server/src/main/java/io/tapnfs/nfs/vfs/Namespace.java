package io.tapnfs.nfs.vfs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * {@link KernelVfs}'s namespace changes: CREATE (with EXCLUSIVE's verifier kept in the times, as
 * knfsd keeps it), MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, RENAME and LINK, each one {@code *at}
 * call on a directory descriptor with one checked name, as the caller, so the kernel decides
 * permissions, the sticky bit, {@code protected_hardlinks}, types and ownership; with
 * {@code sync} the directories and new inodes are made durable before the reply.
 */
@SuppressWarnings("try")   // credential and handle scopes are held for their effect, not read
final class Namespace {
  private final KernelVfs vfs;
  private final DataIo data;

  Namespace(KernelVfs vfs, DataIo data) {
    this.vfs = vfs;
    this.data = data;
  }


  Fh create(Fh dir, String name, SetAttr attrs, boolean guarded, byte[] exclusive, Subject who) throws VfsException {
    byte[] n = KernelVfs.checkName(name);
    try (KernelVfs.Held d = vfs.dirForChange(dir)) {
      Fh fh;
      try (Creds.Scope c = Creds.as(who)) {
        int mode = exclusive != null ? 0600 : attrs.mode() != null ? AccessPolicy.mode(who, attrs.mode()) : 0644;
        if (Sys.mknodat(d.fd(), n, Sys.S_IFREG | mode, 0) != 0) {
          if (Sys.errno() != Sys.EEXIST) throw Sys.fail("create");
          return existing(d, n, name, attrs, guarded, exclusive, who);
        }
        restoreUmaskBits(d.fd(), n, mode);
        if (exclusive != null) {
          // RFC 1813 §3.3.8: the verifier is kept in the file's times, as knfsd keeps it, until the client's SETATTR
          ByteBuffer v = ByteBuffer.wrap(exclusive);
          long[] ts = {v.getInt(0) & 0x7fffffffL, 0, v.getInt(4) & 0x7fffffffL, 0};
          if (Sys.utimensat(d.fd(), n, ts, Sys.AT_SYMLINK_NOFOLLOW) != 0) throw Sys.fail("store the create verifier");
        } else {
          chown(d.fd(), n, attrs);
        }
        fh = vfs.handleAt(d.fd(), n);
      }
      created(d, fh, attrs.size() != null && exclusive == null && attrs.size() > 0 ? attrs : null, who);
      return fh;
    }
  }

  /** CREATE of a name that exists: a retransmitted EXCLUSIVE create, GUARDED's EXIST, or UNCHECKED's truncate. */
  private Fh existing(KernelVfs.Held d, byte[] n, String name, SetAttr attrs, boolean guarded, byte[] exclusive, Subject who) throws VfsException {
    Attr a = Stat.of(d.fd(), n, Sys.AT_SYMLINK_NOFOLLOW, vfs.options().fsid());
    if (exclusive != null) {
      ByteBuffer v = ByteBuffer.wrap(exclusive);
      boolean same = a.type() == FileType.REG && a.atimeNanos() == (v.getInt(0) & 0x7fffffffL) * 1_000_000_000L
          && a.mtimeNanos() == (v.getInt(4) & 0x7fffffffL) * 1_000_000_000L;
      if (same) return vfs.handleAt(d.fd(), n);
      throw new VfsException(Errno.EXIST, name);
    }
    if (guarded || a.type() != FileType.REG) throw new VfsException(Errno.EXIST, name);
    Fh fh = vfs.handleAt(d.fd(), n);
    if (attrs.size() != null) vfs.setattr(fh, new SetAttr(null, null, null, attrs.size(), null, null), who);   // knfsd: only the size
    return fh;
  }

  /** The owner and group a create asked for; the kernel decides whether the caller may. */
  private static void chown(int dirFd, byte[] n, SetAttr attrs) throws VfsException {
    if (attrs.uid() == null && attrs.gid() == null) return;
    int uid = attrs.uid() == null ? -1 : attrs.uid(), gid = attrs.gid() == null ? -1 : attrs.gid();
    if (Sys.fchownat(dirFd, n, uid, gid, Sys.AT_SYMLINK_NOFOLLOW) != 0) throw Sys.fail("chown");
  }

  /**
   * After a create: the rest of the attributes, and with {@code sync} the directory and the new
   * inode made durable. A new symlink, FIFO, socket or device has no descriptor to fsync; its
   * inode was made in the same file-system transaction as its directory entry, which the
   * directory's fsync commits (ext4's journal, xfs's log), so no syncfs is needed for it.
   */
  private void created(KernelVfs.Held d, Fh fh, SetAttr rest, Subject who) throws VfsException {
    if (rest != null) vfs.setattr(fh, new SetAttr(null, null, null, rest.size(), rest.atimeNanos(), rest.mtimeNanos()), who);
    if (!vfs.options().sync()) return;
    data.commitMetadata(d.node(), FileType.DIR);
    try (KernelVfs.Held h = vfs.held(fh)) {
      FileType t = h.attr().type();
      if (t == FileType.REG || t == FileType.DIR) data.commitMetadata(h.node(), t);
    }
  }

  Fh mkdir(Fh dir, String name, SetAttr attrs, Subject who) throws VfsException {
    byte[] n = KernelVfs.checkName(name);
    try (KernelVfs.Held d = vfs.dirForChange(dir)) {
      Fh fh;
      try (Creds.Scope c = Creds.as(who)) {
        int mode = attrs.mode() != null ? AccessPolicy.mode(who, attrs.mode()) : 0755;
        if (Sys.mkdirat(d.fd(), n, mode) != 0) throw Sys.fail("mkdir");
        restoreUmaskBits(d.fd(), n, mode);
        chown(d.fd(), n, attrs);
        fh = vfs.handleAt(d.fd(), n);
      }
      created(d, fh, null, who);
      return fh;
    }
  }

  Fh symlink(Fh dir, String name, String target, SetAttr attrs, Subject who) throws VfsException {
    byte[] n = KernelVfs.checkName(name);
    if (target.isEmpty() || target.indexOf('\0') >= 0 || target.getBytes(StandardCharsets.UTF_8).length > KernelVfs.MAX_SYMLINK)
      throw new VfsException(Errno.INVAL, "symlink target");
    try (KernelVfs.Held d = vfs.dirForChange(dir)) {
      Fh fh;
      try (Creds.Scope c = Creds.as(who)) {
        if (Sys.symlinkat(Sys.name(target), d.fd(), n) != 0) throw Sys.fail("symlink");   // stored as given, never followed by us
        chown(d.fd(), n, attrs);
        fh = vfs.handleAt(d.fd(), n);
      }
      created(d, fh, null, who);
      return fh;
    }
  }

  Fh mknod(Fh dir, String name, FileType type, int major, int minor, SetAttr attrs, Subject who) throws VfsException {
    byte[] n = KernelVfs.checkName(name);
    int kind = switch (type) {
      case FIFO -> Sys.S_IFIFO;
      case SOCK -> Sys.S_IFSOCK;
      case CHR, BLK -> {
        if (!vfs.options().allowDevices()) throw new VfsException(Errno.PERM, "device files are not allowed on " + vfs.exportPath());
        yield type == FileType.CHR ? Sys.S_IFCHR : Sys.S_IFBLK;
      }
      default -> throw new VfsException(Errno.BADTYPE, "mknod of a " + type);
    };
    try (KernelVfs.Held d = vfs.dirForChange(dir)) {
      Fh fh;
      try (Creds.Scope c = Creds.as(who)) {                  // devices: the kernel asks for CAP_MKNOD, which only root keeps
        int mode = attrs.mode() != null ? AccessPolicy.mode(who, attrs.mode()) : 0644;
        long dev = kind == Sys.S_IFCHR || kind == Sys.S_IFBLK ? Sys.makedev(major, minor) : 0;
        if (Sys.mknodat(d.fd(), n, kind | mode, dev) != 0) throw Sys.fail("mknod");
        restoreUmaskBits(d.fd(), n, mode);
        chown(d.fd(), n, attrs);
        fh = vfs.handleAt(d.fd(), n);
      }
      created(d, fh, null, who);
      return fh;
    }
  }

  // =================================================================== removing, renaming, linking

  void remove(Fh dir, String name, Subject who) throws VfsException { unlink(dir, name, who, false); }

  void rmdir(Fh dir, String name, Subject who) throws VfsException { unlink(dir, name, who, true); }

  private void unlink(Fh dir, String name, Subject who, boolean rmdir) throws VfsException {
    byte[] n = KernelVfs.checkName(name);
    try (KernelVfs.Held d = vfs.dirForChange(dir)) {
      Attr gone;
      try (Creds.Scope c = Creds.as(who)) {
        gone = Stat.of(d.fd(), n, Sys.AT_SYMLINK_NOFOLLOW, vfs.options().fsid());
        if (!rmdir && gone.type() == FileType.DIR) throw new VfsException(Errno.ISDIR, name + " is a directory");
        if (rmdir && gone.type() != FileType.DIR) throw new VfsException(Errno.NOTDIR, name + " is not a directory");
        if (Sys.unlinkat(d.fd(), n, rmdir ? Sys.AT_REMOVEDIR : 0) != 0) {
          VfsException e = Sys.fail(rmdir ? "rmdir" : "remove");
          throw e.errno() == Errno.EXIST ? new VfsException(Errno.NOTEMPTY, name + " is not empty") : e;
        }
      }
      if (rmdir || gone.nlink() <= 1) vfs.nodes().forgetInode(gone.fileid());
      data.commitMetadata(d.node(), FileType.DIR);
    }
  }

  void rename(Fh fromDir, String fromName, Fh toDir, String toName, Subject who) throws VfsException {
    byte[] from = KernelVfs.checkName(fromName), to = KernelVfs.checkName(toName);
    try (KernelVfs.Held fd = vfs.dirForChange(fromDir); KernelVfs.Held td = vfs.dir(toDir)) {
      Attr replaced;
      try (Creds.Scope c = Creds.as(who)) {
        replaced = Stat.ifThere(td.fd(), to, vfs.options().fsid());
        // renameat2(2): the kernel checks permissions, the sticky bit, a directory into itself (EINVAL) and types
        if (Sys.renameat2(fd.fd(), from, td.fd(), to, 0) != 0) {
          VfsException e = Sys.fail("rename");
          throw e.errno() == Errno.EXIST ? new VfsException(Errno.NOTEMPTY, toName + " is not empty") : e;
        }
      }
      if (replaced != null && (replaced.type() == FileType.DIR || replaced.nlink() <= 1)) vfs.nodes().forgetInode(replaced.fileid());
      data.commitMetadata(fd.node(), FileType.DIR);
      if (td.attr().fileid() != fd.attr().fileid()) data.commitMetadata(td.node(), FileType.DIR);
    }
  }

  void link(Fh file, Fh dir, String name, Subject who) throws VfsException {
    byte[] n = KernelVfs.checkName(name);
    try (KernelVfs.Held f = vfs.held(file); KernelVfs.Held d = vfs.dirForChange(dir)) {
      if (f.attr().type() == FileType.DIR) throw new VfsException(Errno.ISDIR, "hard link to a directory");
      try (Creds.Scope c = Creds.as(who)) {
        // linkat(AT_EMPTY_PATH) would need CAP_DAC_READ_SEARCH; /proc/self/fd is the unprivileged way, and the
        // kernel applies protected_hardlinks to the caller
        if (Sys.linkat(Sys.AT_FDCWD, Sys.procFd(f.fd()), d.fd(), n, Sys.AT_SYMLINK_FOLLOW) != 0) throw Sys.fail("link");
      }
      data.commitMetadata(d.node(), FileType.DIR);
      data.commitMetadata(f.node(), f.attr().type());
    }
  }

  /** After a create with {@code mode}: the bits a process umask took back, where this thread has one. */
  private void restoreUmaskBits(int dirFd, byte[] n, int mode) throws VfsException {
    if ((mode & Creds.threadUmask()) == 0) return;
    int fd = Sys.openat(dirFd, n, Sys.O_PATH | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, 0);
    if (fd < 0) throw Sys.fail("reopen after create");
    try {
      KernelVfs.chmod(fd, mode);
    } finally {
      Sys.close(fd);
    }
  }
}
