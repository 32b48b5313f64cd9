package io.tapnfs.nfs.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

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
public final class KernelVfs implements Vfs {
  static final int MAX_NAME = 255, MAX_SYMLINK = 4096;
  /** The most bytes one READ returns (NFSv3 rtmax is 1 MiB; this only bounds a hostile count). */
  static final int MAX_IO = 4 << 20;
  /** How far past the size seen at the start of a READ it may still read (a file growing meanwhile). */
  static final int READ_SLACK = 64 * 1024;

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
  private final AtomicLong writeVerifier = new AtomicLong(new SecureRandom().nextLong());
  private final AtomicLong verifierChanges = new AtomicLong();

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
      byte[] h = new byte[8 + Sys.MAX_HANDLE_SZ];
      Sys.le(h).putInt(0, Sys.MAX_HANDLE_SZ);
      int[] mnt = new int[1];
      if (Sys.name_to_handle_at(fd, Sys.EMPTY, h, mnt, Sys.AT_EMPTY_PATH) != 0) {
        int e = Sys.errno();
        if (e == Sys.EPERM)                                  // the kernel never says EPERM here: a seccomp filter does
          throw new IOException("name_to_handle_at is refused (EPERM) for " + path + ": a seccomp profile forbids it "
              + "(Docker's default does); run with --security-opt seccomp=unconfined --cap-add DAC_READ_SEARCH");
        throw new IOException("the file system of " + path + " cannot give file handles (name_to_handle_at: "
            + Sys.errName(e) + "); export a directory on ext4, xfs, btrfs or tmpfs");
      }
      int len = Sys.le(h).getInt(0), type = Sys.le(h).getInt(4);
      if (len > HandleCodec.MAX_KERNEL_HANDLE || type < 0 || type > 255)
        throw new IOException("the file system of " + path + " gives " + len + "-byte file handles of type " + type
            + "; tapnfs needs at most " + HandleCodec.MAX_KERNEL_HANDLE);
      int probe = Sys.open_by_handle_at(fd, h, Sys.O_PATH | Sys.O_CLOEXEC);
      if (probe < 0) throw new IOException("open_by_handle_at on " + path + ": " + Sys.errName(Sys.errno()) + " (needs CAP_DAC_READ_SEARCH)");
      Sys.close(probe);
      Attr a = Stat.of(fd, Sys.EMPTY, Sys.AT_EMPTY_PATH, null);
      int exportId = options.fsid() != null ? options.fsid() : Arrays.hashCode(path.getBytes(StandardCharsets.UTF_8));
      HandleCodec codec = new HandleCodec(key, exportId);
      Fh root = codec.encode(type, h, 8, len);
      return new KernelVfs(path, options, fd, mnt[0], a.fileid(), codec, root);
    } catch (IOException | RuntimeException e) {
      Sys.close(fd);
      throw e;
    }
  }

  @Override public Fh root() { return rootFh; }

  @Override public String exportPath() { return exportPath; }

  @Override public boolean readOnly() { return options.readOnly(); }

  @Override public long writeVerifier() { return writeVerifier.get(); }

  @Override public boolean owns(Fh fh) { return codec.owns(fh); }

  /** Open-file cache and verifier counters for {@code tapnfs stat}. */
  @Override public Map<String, Long> counters() {
    Map<String, Long> m = new java.util.LinkedHashMap<>(nodes.counters());
    m.put("writeVerifierChanges", verifierChanges.get());
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

  private Held held(Fh fh) throws VfsException {
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

  private Held dir(Fh fh) throws VfsException {
    Held h = held(fh);
    if (h.attr().type() != FileType.DIR) {
      h.close();
      throw new VfsException(Errno.NOTDIR, "not a directory");
    }
    return h;
  }

  private Held dirForChange(Fh fh) throws VfsException {
    writable();
    return dir(fh);
  }

  private void writable() throws VfsException {
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
    byte[] h = new byte[8 + Sys.MAX_HANDLE_SZ];
    Sys.le(h).putInt(0, Sys.MAX_HANDLE_SZ);
    int[] mnt = new int[1];
    if (Sys.name_to_handle_at(fd, Sys.EMPTY, h, mnt, Sys.AT_EMPTY_PATH) != 0) {
      VfsException e = Sys.fail("name_to_handle_at");
      Sys.close(fd);
      throw e;
    }
    int len = Sys.le(h).getInt(0), type = Sys.le(h).getInt(4);
    if (mnt[0] != mountId || len > HandleCodec.MAX_KERNEL_HANDLE || type < 0 || type > 255) {
      Sys.close(fd);
      throw new VfsException(Errno.ACCES, "a mount point inside " + exportPath + " (other file systems are not crossed)");
    }
    Fh fh = codec.encode(type, h, 8, len);
    byte[] kernel = Arrays.copyOf(h, 8 + len);
    nodes.adopt(fh, kernel, fd).close();
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
          if (Sys.ftruncate(dataFd, s.size()) != 0) throw writeFailure(h, "truncate");
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
      commitMetadata(h.node(), a.type());
      return Stat.of(h.fd(), Sys.EMPTY, Sys.AT_EMPTY_PATH, options.fsid());
    }
  }

  /**
   * chmod of what an O_PATH descriptor names (never a symlink): fchmodat2 with AT_EMPTY_PATH
   * (Linux 6.6), else through /proc/self/fd where a kernel or a seccomp profile lacks it.
   */
  private static void chmod(int fd, int mode) throws VfsException {
    if (Sys.fchmodat2(fd, Sys.EMPTY, mode, Sys.AT_EMPTY_PATH) == 0) return;
    int e = Sys.errno();
    if (e != Sys.ENOSYS && e != Sys.EPERM && e != Sys.EINVAL) throw new VfsException(Sys.toErrno(e), "chmod: " + Sys.errName(e));
    if (Sys.fchmodat(Sys.AT_FDCWD, Sys.procFd(fd), mode, 0) != 0) throw Sys.fail("chmod");
  }

  /** After a create with {@code mode}: the bits a process umask took back, where this thread has one. */
  private void restoreUmaskBits(int dirFd, byte[] n, int mode) throws VfsException {
    if ((mode & Creds.threadUmask()) == 0) return;
    int fd = Sys.openat(dirFd, n, Sys.O_PATH | Sys.O_NOFOLLOW | Sys.O_CLOEXEC, 0);
    if (fd < 0) throw Sys.fail("reopen after create");
    try {
      chmod(fd, mode);
    } finally {
      Sys.close(fd);
    }
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
  private void permit(Held h, Subject who, int mode, boolean ownerOverride, boolean readIfExec, String what) throws VfsException {
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

  // =================================================================== data

  private Held file(Fh fh, String what) throws VfsException {
    Held h = held(fh);
    FileType t = h.attr().type();
    if (t != FileType.REG) {
      h.close();
      throw new VfsException(t == FileType.DIR ? Errno.ISDIR : Errno.INVAL, what + " of a " + t);
    }
    return h;
  }

  @Override public ReadResult read(Fh fh, long offset, int count, Subject who) throws VfsException {
    if (offset < 0) throw new VfsException(Errno.INVAL, "negative offset");
    try (Held h = file(fh, "read")) {
      int fd = h.node().dataFd(false, options.readOnly());
      // the size read a moment ago only bounds the buffer (with room for a file that grew since): EOF is what pread says
      int asked = Math.max(0, Math.min(count, MAX_IO));
      int want = (int) Math.min(asked, Math.max(0, h.attr().size() - offset) + READ_SLACK);
      byte[] buf = new byte[want];
      int got = 0;
      try (Creds.Scope c = Creds.as(who)) {
        permit(h, who, Sys.R_OK, true, true, "no read permission");
        while (got < want) {
          byte[] chunk = got == 0 ? buf : new byte[want - got];
          long n = Sys.pread(fd, chunk, want - got, offset + got);
          if (n < 0) throw Sys.fail("read");
          if (n == 0) break;
          if (chunk != buf) System.arraycopy(chunk, 0, buf, got, (int) n);
          got += (int) n;
        }
      }
      boolean eof = want == 0 ? offset >= h.attr().size()
          : got < want || (want == asked && offset + got >= h.attr().size());   // short: pread met the end; capped: more may follow
      return new ReadResult(ByteBuffer.wrap(buf, 0, got).slice(), eof);
    }
  }

  @Override public WriteResult write(Fh fh, long offset, ByteBuffer data, Stability stable, Subject who) throws VfsException {
    writable();
    if (offset < 0) throw new VfsException(Errno.INVAL, "negative offset");
    try (Held h = file(fh, "write")) {
      int fd = h.node().dataFd(false, false);
      int n = data.remaining();
      byte[] buf;
      if (data.hasArray() && data.arrayOffset() + data.position() == 0) {
        buf = data.array();
      } else {
        buf = new byte[n];
        data.duplicate().get(buf);
      }
      try (Creds.Scope c = Creds.as(who)) {
        permit(h, who, Sys.W_OK, true, false, "no write permission");
        int done = 0;
        while (done < n) {                                   // as the caller: the kernel clears set-id bits (no CAP_FSETID)
          byte[] chunk = done == 0 ? buf : Arrays.copyOfRange(buf, done, n);
          long w = Sys.pwrite(fd, chunk, n - done, offset + done);
          if (w < 0) throw writeFailure(h, "write");
          done += (int) w;
        }
      }
      data.position(data.position() + n);
      if (stable != Stability.UNSTABLE) sync(fd, stable == Stability.DATA_SYNC, "write");
      return new WriteResult(n, stable);
    }
  }

  /** A failed write: a read-only data descriptor says why it is read-only. */
  private VfsException writeFailure(Held h, String what) {
    int e = Sys.errno();
    int ro = h.node().readOnlyErrno();
    if (e == Sys.EBADF && ro != 0) return new VfsException(Sys.toErrno(ro), what + ": the file cannot be written (" + Sys.errName(ro) + ")");
    return new VfsException(Sys.toErrno(e), what + ": " + Sys.errName(e));
  }

  @Override public void commit(Fh fh, long offset, long count) throws VfsException {
    try (Held h = held(fh)) {
      if (h.attr().type() != FileType.REG) return;
      sync(h.node().dataFd(false, options.readOnly()), false, "commit");
    }
  }

  /**
   * fsync (or fdatasync); a failure is a writeback error: data acknowledged as UNSTABLE may be
   * lost, so the write verifier changes and clients resend (knfsd's nfsd_reset_write_verifier).
   */
  private void sync(int fd, boolean dataOnly, String what) throws VfsException {
    if ((dataOnly ? Sys.fdatasync(fd) : Sys.fsync(fd)) == 0) return;
    int e = Sys.errno();
    if (e == Sys.EINVAL || e == Sys.EROFS) return;           // a file that cannot be synced holds nothing to lose
    writeVerifier.set(new SecureRandom().nextLong());
    verifierChanges.incrementAndGet();
    throw new VfsException(Sys.toErrno(e), what + ": fsync failed (" + Sys.errName(e) + "); write verifier changed");
  }

  /** knfsd's commit_metadata: with {@code sync}, the change to this inode is durable now. */
  private void commitMetadata(NodeCache.Node n, FileType type) throws VfsException {
    if (!options.sync()) return;
    if (type == FileType.REG || type == FileType.DIR) {
      sync(n.dataFd(type == FileType.DIR, options.readOnly()), false, "commit metadata");
    } else if (Sys.syncfs(rootFd) != 0) {                   // a symlink or special file has no descriptor to fsync
      throw Sys.fail("syncfs");
    }
  }

  // =================================================================== creating

  @Override public Fh create(Fh dir, String name, SetAttr attrs, boolean guarded, byte[] exclusive, Subject who) throws VfsException {
    byte[] n = checkName(name);
    try (Held d = dirForChange(dir)) {
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
        fh = handleAt(d.fd(), n);
      }
      created(d, fh, attrs.size() != null && exclusive == null && attrs.size() > 0 ? attrs : null, who);
      return fh;
    }
  }

  /** CREATE of a name that exists: a retransmitted EXCLUSIVE create, GUARDED's EXIST, or UNCHECKED's truncate. */
  private Fh existing(Held d, byte[] n, String name, SetAttr attrs, boolean guarded, byte[] exclusive, Subject who) throws VfsException {
    Attr a = Stat.of(d.fd(), n, Sys.AT_SYMLINK_NOFOLLOW, options.fsid());
    if (exclusive != null) {
      ByteBuffer v = ByteBuffer.wrap(exclusive);
      boolean same = a.type() == FileType.REG && a.atimeNanos() == (v.getInt(0) & 0x7fffffffL) * 1_000_000_000L
          && a.mtimeNanos() == (v.getInt(4) & 0x7fffffffL) * 1_000_000_000L;
      if (same) return handleAt(d.fd(), n);
      throw new VfsException(Errno.EXIST, name);
    }
    if (guarded || a.type() != FileType.REG) throw new VfsException(Errno.EXIST, name);
    Fh fh = handleAt(d.fd(), n);
    if (attrs.size() != null) setattr(fh, new SetAttr(null, null, null, attrs.size(), null, null), who);   // knfsd: only the size
    return fh;
  }

  /** The owner and group a create asked for; the kernel decides whether the caller may. */
  private static void chown(int dirFd, byte[] n, SetAttr attrs) throws VfsException {
    if (attrs.uid() == null && attrs.gid() == null) return;
    int uid = attrs.uid() == null ? -1 : attrs.uid(), gid = attrs.gid() == null ? -1 : attrs.gid();
    if (Sys.fchownat(dirFd, n, uid, gid, Sys.AT_SYMLINK_NOFOLLOW) != 0) throw Sys.fail("chown");
  }

  /** After a create: the rest of the attributes, and with {@code sync} the directory and the new inode made durable. */
  private void created(Held d, Fh fh, SetAttr rest, Subject who) throws VfsException {
    if (rest != null) setattr(fh, new SetAttr(null, null, null, rest.size(), rest.atimeNanos(), rest.mtimeNanos()), who);
    if (!options.sync()) return;
    commitMetadata(d.node(), FileType.DIR);
    try (Held h = held(fh)) {
      commitMetadata(h.node(), h.attr().type());
    }
  }

  @Override public Fh mkdir(Fh dir, String name, SetAttr attrs, Subject who) throws VfsException {
    byte[] n = checkName(name);
    try (Held d = dirForChange(dir)) {
      Fh fh;
      try (Creds.Scope c = Creds.as(who)) {
        int mode = attrs.mode() != null ? AccessPolicy.mode(who, attrs.mode()) : 0755;
        if (Sys.mkdirat(d.fd(), n, mode) != 0) throw Sys.fail("mkdir");
        restoreUmaskBits(d.fd(), n, mode);
        chown(d.fd(), n, attrs);
        fh = handleAt(d.fd(), n);
      }
      created(d, fh, null, who);
      return fh;
    }
  }

  @Override public Fh symlink(Fh dir, String name, String target, SetAttr attrs, Subject who) throws VfsException {
    byte[] n = checkName(name);
    if (target.isEmpty() || target.indexOf('\0') >= 0 || target.getBytes(StandardCharsets.UTF_8).length > MAX_SYMLINK)
      throw new VfsException(Errno.INVAL, "symlink target");
    try (Held d = dirForChange(dir)) {
      Fh fh;
      try (Creds.Scope c = Creds.as(who)) {
        if (Sys.symlinkat(Sys.name(target), d.fd(), n) != 0) throw Sys.fail("symlink");   // stored as given, never followed by us
        chown(d.fd(), n, attrs);
        fh = handleAt(d.fd(), n);
      }
      created(d, fh, null, who);
      return fh;
    }
  }

  @Override public Fh mknod(Fh dir, String name, FileType type, int major, int minor, SetAttr attrs, Subject who) throws VfsException {
    byte[] n = checkName(name);
    int kind = switch (type) {
      case FIFO -> Sys.S_IFIFO;
      case SOCK -> Sys.S_IFSOCK;
      case CHR, BLK -> {
        if (!options.allowDevices()) throw new VfsException(Errno.PERM, "device files are not allowed on " + exportPath);
        yield type == FileType.CHR ? Sys.S_IFCHR : Sys.S_IFBLK;
      }
      default -> throw new VfsException(Errno.BADTYPE, "mknod of a " + type);
    };
    try (Held d = dirForChange(dir)) {
      Fh fh;
      try (Creds.Scope c = Creds.as(who)) {                  // devices: the kernel asks for CAP_MKNOD, which only root keeps
        int mode = attrs.mode() != null ? AccessPolicy.mode(who, attrs.mode()) : 0644;
        long dev = kind == Sys.S_IFCHR || kind == Sys.S_IFBLK ? Sys.makedev(major, minor) : 0;
        if (Sys.mknodat(d.fd(), n, kind | mode, dev) != 0) throw Sys.fail("mknod");
        restoreUmaskBits(d.fd(), n, mode);
        chown(d.fd(), n, attrs);
        fh = handleAt(d.fd(), n);
      }
      created(d, fh, null, who);
      return fh;
    }
  }

  // =================================================================== removing, renaming, linking

  @Override public void remove(Fh dir, String name, Subject who) throws VfsException { unlink(dir, name, who, false); }

  @Override public void rmdir(Fh dir, String name, Subject who) throws VfsException { unlink(dir, name, who, true); }

  private void unlink(Fh dir, String name, Subject who, boolean rmdir) throws VfsException {
    byte[] n = checkName(name);
    try (Held d = dirForChange(dir)) {
      Attr gone;
      try (Creds.Scope c = Creds.as(who)) {
        gone = Stat.of(d.fd(), n, Sys.AT_SYMLINK_NOFOLLOW, options.fsid());
        if (!rmdir && gone.type() == FileType.DIR) throw new VfsException(Errno.ISDIR, name + " is a directory");
        if (rmdir && gone.type() != FileType.DIR) throw new VfsException(Errno.NOTDIR, name + " is not a directory");
        if (Sys.unlinkat(d.fd(), n, rmdir ? Sys.AT_REMOVEDIR : 0) != 0) {
          VfsException e = Sys.fail(rmdir ? "rmdir" : "remove");
          throw e.errno() == Errno.EXIST ? new VfsException(Errno.NOTEMPTY, name + " is not empty") : e;
        }
      }
      if (rmdir || gone.nlink() <= 1) nodes.forgetInode(gone.fileid());
      commitMetadata(d.node(), FileType.DIR);
    }
  }

  @Override public void rename(Fh fromDir, String fromName, Fh toDir, String toName, Subject who) throws VfsException {
    byte[] from = checkName(fromName), to = checkName(toName);
    try (Held fd = dirForChange(fromDir); Held td = dir(toDir)) {
      Attr replaced;
      try (Creds.Scope c = Creds.as(who)) {
        replaced = Stat.ifThere(td.fd(), to, options.fsid());
        // renameat2(2): the kernel checks permissions, the sticky bit, a directory into itself (EINVAL) and types
        if (Sys.renameat2(fd.fd(), from, td.fd(), to, 0) != 0) {
          VfsException e = Sys.fail("rename");
          throw e.errno() == Errno.EXIST ? new VfsException(Errno.NOTEMPTY, toName + " is not empty") : e;
        }
      }
      if (replaced != null && (replaced.type() == FileType.DIR || replaced.nlink() <= 1)) nodes.forgetInode(replaced.fileid());
      commitMetadata(fd.node(), FileType.DIR);
      if (td.attr().fileid() != fd.attr().fileid()) commitMetadata(td.node(), FileType.DIR);
    }
  }

  @Override public void link(Fh file, Fh dir, String name, Subject who) throws VfsException {
    byte[] n = checkName(name);
    try (Held f = held(file); Held d = dirForChange(dir)) {
      if (f.attr().type() == FileType.DIR) throw new VfsException(Errno.ISDIR, "hard link to a directory");
      try (Creds.Scope c = Creds.as(who)) {
        // linkat(AT_EMPTY_PATH) would need CAP_DAC_READ_SEARCH; /proc/self/fd is the unprivileged way, and the
        // kernel applies protected_hardlinks to the caller
        if (Sys.linkat(Sys.AT_FDCWD, Sys.procFd(f.fd()), d.fd(), n, Sys.AT_SYMLINK_FOLLOW) != 0) throw Sys.fail("link");
      }
      commitMetadata(d.node(), FileType.DIR);
      commitMetadata(f.node(), f.attr().type());
    }
  }

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
    byte[] h = new byte[8 + Sys.MAX_HANDLE_SZ];
    Sys.le(h).putInt(0, Sys.MAX_HANDLE_SZ);
    int[] mnt = new int[1];
    if (Sys.name_to_handle_at(dirFd, name, h, mnt, 0) != 0) return null;
    int len = Sys.le(h).getInt(0), type = Sys.le(h).getInt(4);
    if (mnt[0] != mountId || len > HandleCodec.MAX_KERNEL_HANDLE || type < 0 || type > 255) return null;
    return codec.encode(type, h, 8, len);
  }

  Fh rootFh() { return rootFh; }

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
