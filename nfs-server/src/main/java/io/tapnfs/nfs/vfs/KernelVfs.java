package io.tapnfs.nfs.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A {@link Vfs} over a local directory, built the way knfsd (exportfs) and nfs-ganesha's FSAL_VFS
 * are:
 *
 * <ul>
 * <li><b>Handles from the kernel</b> ({@link HandleCodec}): {@code name_to_handle_at(2)} gives
 *     them, {@code open_by_handle_at(2)} turns them back into an {@code O_PATH} descriptor
 *     (as the server: it needs CAP_DAC_READ_SEARCH). No path is ever rebuilt or walked.
 * <li><b>One component at a time, never following a symlink</b>: every name operation is a
 *     {@code *at} call on the directory's descriptor with a single checked name
 *     ({@code openat(O_PATH|O_NOFOLLOW)}, {@code statx(AT_SYMLINK_NOFOLLOW)}, {@code mkdirat},
 *     {@code mknodat}, {@code symlinkat}, {@code linkat}, {@code renameat2}, {@code unlinkat});
 *     attribute changes act on the file's own descriptor ({@code fchownat}/{@code utimensat}/
 *     {@code fchmodat2} with AT_EMPTY_PATH). A rename or symlink race by a client can only
 *     redirect a name inside a directory we already hold, never a walk out of the export.
 *     A name that is another file system's mount point is not crossed (ACCES).
 * <li><b>The caller's own credentials</b> ({@link Creds}): each operation's system calls run with
 *     the squashed caller's fsuid, fsgid and groups, so the kernel enforces mode bits, POSIX ACLs,
 *     sticky directories and {@code protected_hardlinks}, owns new files to their creator and
 *     clears set-id bits on write, truncate and chown. knfsd's owner override is kept where knfsd
 *     keeps it: the owner may read and write (and truncate) its own file whatever its mode, and a
 *     file that may be executed may be read (NFSD_MAY_OWNER_OVERRIDE, NFSD_MAY_READ_IF_EXEC).
 * <li><b>FIFOs, sockets and devices are never opened</b>: data descriptors are opened only for
 *     regular files (and directories, for fsync), and with O_NONBLOCK.
 * <li><b>Durability</b>: with {@code sync} (exports(5)'s default) namespace changes and SETATTR
 *     are fsync'ed (directory and inode, knfsd's {@code commit_metadata}) before the reply;
 *     UNSTABLE data is fsync'ed at COMMIT, DATA/FILE_SYNC before the reply. A failed fsync (a
 *     writeback error) changes the write verifier, so clients resend what they had not committed.
 * <li><b>Listings</b> ({@link DirReader}): the file system's own directory offsets are the
 *     cookies, as knfsd uses them: a page is one {@code lseek} and as many {@code getdents64} as
 *     it needs, so a whole directory is O(N) however it is paged, and ext4/xfs/btrfs/tmpfs
 *     offsets neither skip nor repeat entries that stay while others come and go.
 * </ul>
 *
 * <p>Needs root (CAP_DAC_READ_SEARCH, CAP_SETUID, CAP_SETGID) and a file system that gives
 * handles; {@link #open} refuses others with a one-line reason.
 */
@SuppressWarnings("try")   // credential and handle scopes are held for their effect, not read
public final class KernelVfs implements Vfs {
  static final int MAX_NAME = 255, MAX_SYMLINK = 4096;

  /** The settings of one export's backend. */
  public record Options(boolean readOnly, boolean allowDevices, boolean sync, Integer fsid, int maxOpenFiles) {
    public static final int DEFAULT_MAX_OPEN_FILES = 4096;

    public static Options defaults() { return new Options(false, false, true, null, DEFAULT_MAX_OPEN_FILES); }

    public Options readOnly(boolean ro) { return new Options(ro, allowDevices, sync, fsid, maxOpenFiles); }

    public Options sync(boolean s) { return new Options(readOnly, allowDevices, s, fsid, maxOpenFiles); }

    public Options fsid(Integer f) { return new Options(readOnly, allowDevices, sync, f, maxOpenFiles); }

    public Options maxOpenFiles(int n) { return new Options(readOnly, allowDevices, sync, fsid, n); }
  }

  private final String exportPath;
  private final Options options;
  private final int rootFd;          // O_RDONLY|O_DIRECTORY: the mount descriptor for open_by_handle_at
  private final int mountId;
  private final long rootIno;
  private final HandleCodec codec;
  private final NodeCache nodes;
  private final Fh rootFh;
  private final DataIo data = new DataIo(this);
  private final Namespace names = new Namespace(this, data);

  private KernelVfs(String exportPath, Options options, int rootFd, int mountId, long rootIno, HandleCodec codec, Fh rootFh) {
    this.exportPath = exportPath;
    this.options = options;
    this.rootFd = rootFd;
    this.mountId = mountId;
    this.rootIno = rootIno;
    this.codec = codec;
    this.rootFh = rootFh;
    this.nodes = new NodeCache(rootFd, options.maxOpenFiles());
  }

  /** An export of {@code dir} with the default options and read-only / devices as given. */
  public static KernelVfs open(Path dir, byte[] key, boolean readOnly, boolean allowDevices) throws IOException {
    return open(dir, key, new Options(readOnly, allowDevices, true, null, Options.DEFAULT_MAX_OPEN_FILES));
  }

  /**
   * Opens an export of directory {@code dir} (absolute, a real directory).
   *
   * @param key the server's handle key (at least 16 bytes), the same across restarts
   * @throws IOException with a one-line reason: not a directory, a file system without handles,
   *     no CAP_DAC_READ_SEARCH / CAP_SETUID
   */
  public static KernelVfs open(Path dir, byte[] key, Options options) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    String path = abs.toString();
    Creds.check();
    int fd = Sys.open(Sys.name(path), Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, 0);
    if (fd < 0) throw new IOException(path + " is not a directory one can open (" + Sys.errName(Sys.errno()) + ")");
    try {
      HandleCodec.Kernel h = HandleCodec.Kernel.of(fd, Sys.EMPTY, Sys.AT_EMPTY_PATH);
      if (h == null) {
        int e = Sys.errno();
        if (e == Sys.EPERM)                                  // the kernel never says EPERM here: a seccomp filter does
          throw new IOException("name_to_handle_at is refused (EPERM) for " + path + ": a seccomp profile forbids it "
              + "(Docker's default does); run with --security-opt seccomp=unconfined --cap-add DAC_READ_SEARCH");
        throw new IOException("the file system of " + path + " cannot give file handles (name_to_handle_at: "
            + Sys.errName(e) + "); export a directory on ext4, xfs, btrfs or tmpfs");
      }
      if (!h.fits())
        throw new IOException("the file system of " + path + " gives " + h.length() + "-byte file handles of type " + h.type()
            + "; tapnfs needs at most " + HandleCodec.MAX_KERNEL_HANDLE);
      int probe = Sys.open_by_handle_at(fd, h.struct(), Sys.O_PATH | Sys.O_CLOEXEC);
      if (probe < 0) throw new IOException("open_by_handle_at on " + path + ": " + Sys.errName(Sys.errno()) + " (needs CAP_DAC_READ_SEARCH)");
      Sys.close(probe);
      Attr a = Stat.of(fd, Sys.EMPTY, Sys.AT_EMPTY_PATH, null);
      int exportId = options.fsid() != null ? options.fsid() : Arrays.hashCode(path.getBytes(StandardCharsets.UTF_8));
      HandleCodec codec = new HandleCodec(key, exportId);
      return new KernelVfs(path, options, fd, h.mountId(), a.fileid(), codec, codec.encode(h));
    } catch (IOException | RuntimeException e) {
      Sys.close(fd);
      throw e;
    }
  }

  @Override public Fh root() { return rootFh; }

  @Override public String exportPath() { return exportPath; }

  @Override public boolean readOnly() { return options.readOnly(); }

  @Override public long writeVerifier() { return data.writeVerifier(); }

  @Override public boolean owns(Fh fh) { return codec.owns(fh); }

  /** Open-file cache and verifier counters for {@code tapnfs stat}. */
  @Override public Map<String, Long> counters() {
    Map<String, Long> m = new java.util.LinkedHashMap<>(nodes.counters());
    m.put("writeVerifierChanges", data.verifierChanges());
    return m;
  }

  /** Closes the cached descriptors (the export is going away). */
  public void close() {
    nodes.clear();
    Sys.close(rootFd);
  }

  // =================================================================== resolving handles

  /** A handle resolved for one call: its node (referenced) and its attributes now. */
  record Held(NodeCache.Node node, Attr attr) implements AutoCloseable {
    int fd() { return node.pathFd; }

    @Override public void close() { node.close(); }
  }

  Held held(Fh fh) throws VfsException {
    byte[] kernel = codec.decode(fh);
    if (kernel == null) throw new VfsException(Errno.BADHANDLE, "not a handle of " + exportPath);
    NodeCache.Node n = nodes.acquire(fh, kernel);
    try {
      Attr a = Stat.of(n.pathFd, Sys.EMPTY, Sys.AT_EMPTY_PATH, options.fsid());
      if (a.nlink() == 0) {                                   // removed behind our back, or by a rename over it
        nodes.forget(n);
        throw new VfsException(Errno.STALE, "inode " + a.fileid() + " has no name left");
      }
      nodes.noteInode(n, a.fileid());
      return new Held(n, a);
    } catch (VfsException | RuntimeException e) {
      n.close();
      throw e;
    }
  }

  Held dir(Fh fh) throws VfsException {
    Held h = held(fh);
    if (h.attr().type() != FileType.DIR) {
      h.close();
      throw new VfsException(Errno.NOTDIR, "not a directory");
    }
    return h;
  }

  Held dirForChange(Fh fh) throws VfsException {
    writable();
    return dir(fh);
  }

  void writable() throws VfsException {
    if (options.readOnly()) throw new VfsException(Errno.ROFS, exportPath + " is exported read-only");
  }

  /**
   * The handle of {@code name} in directory descriptor {@code dirFd} (or of {@code dirFd} itself
   * with {@link Sys#EMPTY}), its O_PATH descriptor cached. Runs as the caller: the kernel checks
   * search permission. A mount point of another file system is not crossed.
   */
  Fh handleAt(int dirFd, byte[] name) throws VfsException {
    int fd = Sys.openat(dirFd, name, Sys.O_PATH | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, 0);
    if (fd < 0) throw Sys.fail("lookup");
    HandleCodec.Kernel h = HandleCodec.Kernel.of(fd, Sys.EMPTY, Sys.AT_EMPTY_PATH);
    if (h == null) {
      VfsException e = Sys.fail("name_to_handle_at");
      Sys.close(fd);
      throw e;
    }
    if (!ours(h)) {
      Sys.close(fd);
      throw new VfsException(Errno.ACCES, "a mount point inside " + exportPath + " (other file systems are not crossed)");
    }
    Fh fh = codec.encode(h);
    nodes.adopt(fh, h.struct(), fd).close();
    return fh;
  }

  // =================================================================== attributes

  @Override public Attr getattr(Fh fh) throws VfsException {
    try (Held h = held(fh)) {
      return h.attr();
    }
  }

  @Override public Attr setattr(Fh fh, SetAttr s, Subject who) throws VfsException {
    try (Held h = held(fh)) {
      if (s.isEmpty()) return h.attr();
      writable();
      Attr a = h.attr();
      int dataFd = -1;
      if (s.size() != null) {
        if (a.type() == FileType.DIR) throw new VfsException(Errno.ISDIR, "size of a directory");
        if (a.type() != FileType.REG) throw new VfsException(Errno.INVAL, "size of a " + a.type());
        if (s.size() < 0) throw new VfsException(Errno.INVAL, "negative size");
        dataFd = h.node().dataFd(false, false);
      }
      try (Creds.Scope c = Creds.as(who)) {
        if (dataFd >= 0) {
          permit(h, who, Sys.W_OK, true, false, "no write permission to truncate");
          if (Sys.ftruncate(dataFd, s.size()) != 0) throw DataIo.writeFailure(h, "truncate");
        }
        if (s.uid() != null || s.gid() != null) {
          int uid = s.uid() == null ? -1 : s.uid(), gid = s.gid() == null ? -1 : s.gid();
          if (Sys.fchownat(h.fd(), Sys.EMPTY, uid, gid, Sys.AT_EMPTY_PATH | Sys.AT_SYMLINK_NOFOLLOW) != 0) throw Sys.fail("chown");
        }
        if (s.mode() != null && a.type() != FileType.LNK) chmod(h.fd(), AccessPolicy.mode(who, s.mode()));
        if (s.atimeNanos() != null || s.mtimeNanos() != null) {
          long[] ts = {0, Sys.UTIME_OMIT, 0, Sys.UTIME_OMIT};
          time(ts, 0, s.atimeNanos());
          time(ts, 2, s.mtimeNanos());
          if (Sys.utimensat(h.fd(), Sys.EMPTY, ts, Sys.AT_EMPTY_PATH | Sys.AT_SYMLINK_NOFOLLOW) != 0) throw Sys.fail("set times");
        }
      }
      data.commitMetadata(h.node(), a.type());
      return Stat.of(h.fd(), Sys.EMPTY, Sys.AT_EMPTY_PATH, options.fsid());
    }
  }

  /**
   * chmod of what an O_PATH descriptor names (never a symlink): fchmodat2 with AT_EMPTY_PATH
   * (Linux 6.6), else through /proc/self/fd where a kernel or a seccomp profile lacks it.
   */
  static void chmod(int fd, int mode) throws VfsException {
    if (Sys.fchmodat2(fd, Sys.EMPTY, mode, Sys.AT_EMPTY_PATH) == 0) return;
    int e = Sys.errno();
    if (e != Sys.ENOSYS && e != Sys.EPERM && e != Sys.EINVAL) throw new VfsException(Sys.toErrno(e), "chmod: " + Sys.errName(e));
    if (Sys.fchmodat(Sys.AT_FDCWD, Sys.procFd(fd), mode, 0) != 0) throw Sys.fail("chmod");
  }

  private static void time(long[] ts, int at, Long nanos) {
    if (nanos == null) return;
    if (nanos == SetAttr.SERVER_TIME) {
      ts[at + 1] = Sys.UTIME_NOW;
    } else {
      ts[at] = Math.floorDiv(nanos, 1_000_000_000L);
      ts[at + 1] = Math.floorMod(nanos, 1_000_000_000L);
    }
  }

  // =================================================================== permissions

  /**
   * The kernel's permission check as the caller (faccessat2 with AT_EACCESS; the caller's scope
   * is active), with knfsd's owner override and read-if-exec where asked.
   */
  void permit(Held h, Subject who, int mode, boolean ownerOverride, boolean readIfExec, String what) throws VfsException {
    if (Sys.faccessat2(h.fd(), Sys.EMPTY, mode, Sys.AT_EACCESS | Sys.AT_EMPTY_PATH) == 0) return;
    int e = Sys.errno();
    if (e != Sys.EACCES && e != Sys.EPERM && e != Sys.EROFS) throw new VfsException(Sys.toErrno(e), what + ": " + Sys.errName(e));
    if (ownerOverride && who.uid() == h.attr().uid() && e != Sys.EROFS) return;
    if (readIfExec && Sys.faccessat2(h.fd(), Sys.EMPTY, Sys.X_OK, Sys.AT_EACCESS | Sys.AT_EMPTY_PATH) == 0) return;
    throw new VfsException(e == Sys.EROFS ? Errno.ROFS : Errno.ACCES, what);
  }

  private boolean may(Held h, int mode) { return Sys.faccessat2(h.fd(), Sys.EMPTY, mode, Sys.AT_EACCESS | Sys.AT_EMPTY_PATH) == 0; }

  /** RFC 1813 §3.3.4, answered by the kernel as the caller (knfsd's nfsd_access table). */
  @Override public int access(Fh fh, int mask, Subject who) throws VfsException {
    try (Held h = held(fh); Creds.Scope c = Creds.as(who)) {
      Attr a = h.attr();
      boolean dir = a.type() == FileType.DIR, owner = who.uid() == a.uid();
      int got = 0;
      if ((mask & 0x01) != 0 && (may(h, Sys.R_OK) || (!dir && owner))) got |= 0x01;             // READ (owner override)
      if ((mask & 0x02) != 0 && dir && may(h, Sys.X_OK)) got |= 0x02;                         // LOOKUP
      if (!options.readOnly() && (mask & 0x1c) != 0 && a.type() != FileType.LNK) {
        boolean w = dir ? may(h, Sys.W_OK | Sys.X_OK) : may(h, Sys.W_OK);
        if (w) got |= mask & (dir ? 0x1c : 0x0c);                                            // MODIFY, EXTEND, DELETE
      }
      if ((mask & 0x20) != 0 && !dir && may(h, Sys.X_OK)) got |= 0x20;                        // EXECUTE
      return got;
    }
  }

  // =================================================================== names

  /** A single component: never "", ".", "..", "/" or NUL; at most 255 bytes of UTF-8. */
  static byte[] checkName(String name) throws VfsException {
    if (name.isEmpty() || name.equals(".") || name.equals("..")) throw new VfsException(Errno.INVAL, "name '" + name + "'");
    if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) throw new VfsException(Errno.INVAL, "name with '/' or NUL");
    byte[] z = Sys.name(name);
    if (z.length - 1 > MAX_NAME) throw new VfsException(Errno.NAMETOOLONG, "name over 255 bytes");
    return z;
  }

  private static final byte[] DOTDOT = Sys.name("..");

  @Override public Fh lookup(Fh dir, String name, Subject who) throws VfsException {
    try (Held d = dir(dir); Creds.Scope c = Creds.as(who)) {
      if (name.equals(".") || name.equals("..")) {
        if (!may(d, Sys.X_OK)) throw new VfsException(Errno.ACCES, "no search permission");
        if (name.equals(".") || d.attr().fileid() == rootIno) return name.equals(".") ? dir : rootFh;   // ".." at the root stays there
        return handleAt(d.fd(), DOTDOT);
      }
      return handleAt(d.fd(), checkName(name));
    }
  }

  @Override public String readlink(Fh fh, Subject who) throws VfsException {
    try (Held h = held(fh)) {
      if (h.attr().type() != FileType.LNK) throw new VfsException(Errno.INVAL, "not a symbolic link");
      byte[] buf = new byte[MAX_SYMLINK + 1];
      long n = Sys.readlinkat(h.fd(), Sys.EMPTY, buf, buf.length);
      if (n < 0) throw Sys.fail("readlink");
      return new String(buf, 0, (int) Math.min(n, MAX_SYMLINK), StandardCharsets.UTF_8);
    }
  }

  // =================================================================== data (DataIo) and names (Namespace)

  @Override public ReadResult read(Fh fh, long offset, int count, Subject who) throws VfsException { return data.read(fh, offset, count, who); }

  @Override public WriteResult write(Fh fh, long offset, ByteBuffer d, Stability stable, Subject who) throws VfsException {
    return data.write(fh, offset, d, stable, who);
  }

  @Override public void commit(Fh fh, long offset, long count) throws VfsException { data.commit(fh, offset, count); }

  @Override public Fh create(Fh dir, String name, SetAttr attrs, boolean guarded, byte[] exclusive, Subject who) throws VfsException {
    return names.create(dir, name, attrs, guarded, exclusive, who);
  }

  @Override public Fh mkdir(Fh dir, String name, SetAttr attrs, Subject who) throws VfsException { return names.mkdir(dir, name, attrs, who); }

  @Override public Fh symlink(Fh dir, String name, String target, SetAttr attrs, Subject who) throws VfsException {
    return names.symlink(dir, name, target, attrs, who);
  }

  @Override public Fh mknod(Fh dir, String name, FileType type, int major, int minor, SetAttr attrs, Subject who) throws VfsException {
    return names.mknod(dir, name, type, major, minor, attrs, who);
  }

  @Override public void remove(Fh dir, String name, Subject who) throws VfsException { names.remove(dir, name, who); }

  @Override public void rmdir(Fh dir, String name, Subject who) throws VfsException { names.rmdir(dir, name, who); }

  @Override public void rename(Fh fromDir, String fromName, Fh toDir, String toName, Subject who) throws VfsException {
    names.rename(fromDir, fromName, toDir, toName, who);
  }

  @Override public void link(Fh file, Fh dir, String name, Subject who) throws VfsException { names.link(file, dir, name, who); }

  // =================================================================== listing

  @Override public DirList list(Fh dir, long cookie, long verifier, int maxEntries, Subject who) throws VfsException {
    return list(dir, cookie, verifier, maxEntries, who, true);
  }

  @Override public DirList list(Fh dir, long cookie, long verifier, int maxEntries, Subject who, boolean plus) throws VfsException {
    if (maxEntries < 1) throw new VfsException(Errno.TOOSMALL, "no room for an entry");
    try (Held d = dir(dir); Creds.Scope c = Creds.as(who)) {
      return DirReader.read(this, d, dir, cookie, maxEntries, plus);
    }
  }

  /**
   * The handle of a listed name, without opening it (READDIRPLUS), or null: vanished, or a mount
   * point of another file system.
   */
  Fh handleOfEntry(int dirFd, byte[] name) {
    HandleCodec.Kernel h = HandleCodec.Kernel.of(dirFd, name, 0);
    return h != null && ours(h) ? codec.encode(h) : null;
  }

  /** A kernel handle of this export's mount that fits in our handles. */
  private boolean ours(HandleCodec.Kernel h) { return h.mountId() == mountId && h.fits(); }

  Fh rootFh() { return rootFh; }

  Options options() { return options; }

  NodeCache nodes() { return nodes; }

  int rootFd() { return rootFd; }

  long rootIno() { return rootIno; }

  Integer fsid() { return options.fsid(); }

  @Override public FsStat fsstat(Fh fh) throws VfsException {
    try (Held h = held(fh)) {
      byte[] b = new byte[128];
      if (Sys.fstatvfs(rootFd, b) != 0) throw Sys.fail("statvfs");
      ByteBuffer v = Sys.le(b);
      long frsize = v.getLong(8);
      return new FsStat(v.getLong(16) * frsize, v.getLong(24) * frsize, v.getLong(32) * frsize, v.getLong(40), v.getLong(48), v.getLong(56));
    }
  }
}
