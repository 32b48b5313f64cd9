package io.tapnfs.nfs.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@link Vfs} over a local directory.
 *
 * <p><b>Handles</b> (37 bytes): version 1, the export id (a hash of the export path), the inode
 * number, a generation, and 16 bytes of HMAC-SHA256 under the server's secret key over all that.
 * So a handle is stable across restarts (same key, same inode), renames and hard links; it cannot
 * be forged or moved to another export (BADHANDLE); and the generation — 8 random bytes kept in
 * the file's {@code user.tapnfs.gen} extended attribute, written the first time a handle is made —
 * tells a file that was deleted and whose inode number was reused (STALE). Where the file system
 * has no user xattrs (or for symlinks and special files) the generation is 0 and a reused inode
 * number is not detected.
 *
 * <p><b>Finding a file by inode</b>: a map from inode to (parent inode, name), filled by every
 * lookup, listing and create and kept by renames; a path is rebuilt from it and checked (device
 * and inode) before use. A miss or a failed check (a change behind the server's back, a restart)
 * walks the export breadth-first, without following symlinks, and refills the map.
 *
 * <p><b>Never escaping the export</b>: paths are built only from names we checked (no "/", no
 * "..", no NUL), every attribute read and change uses NOFOLLOW_LINKS, ".." at the root stays at
 * the root, and a handle of another export fails its MAC. Limit: intermediate components are
 * resolved by the kernel, so a directory swapped for a symlink on the server side between our
 * check and our call could be followed (openat-based resolution would close that race).
 *
 * <p><b>Directory cookies</b>: a cookie is a 63-bit keyed hash of the entry's name (1 and 2 for
 * "." and ".."), and a listing is in cookie order, resuming after the given cookie. An entry keeps
 * its cookie while it exists, so a listing interrupted by changes never skips or repeats an entry
 * that stayed, and never loops; the verifier is advisory.
 *
 * <p><b>Writes</b>: UNSTABLE data goes to the page cache and is fsync'ed at COMMIT; DATA_SYNC and
 * FILE_SYNC are fsync'ed before the reply. The write verifier is random per start.
 */
public final class LocalVfs implements Vfs {
  static final byte VERSION = 1;
  static final int HANDLE_LEN = 37;
  static final String GEN_XATTR = "tapnfs.gen", VERF_XATTR = "tapnfs.cverf";
  static final int MAX_NAME = 255;
  static final long COOKIE_DOT = 1, COOKIE_DOTDOT = 2;
  /** The most entries the inode search walks before giving up (STALE). */
  static final int MAX_SCAN = 5_000_000;

  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private final Path root;
  private final String exportPath;
  private final int exportId;
  private final byte[] key;
  /** One keyed Mac per thread: every handle check and every listed name computes one. */
  private final ThreadLocal<Mac> macs;
  private final boolean readOnly, allowDevices;
  private final long writeVerifier = new SecureRandom().nextLong();
  private final long rootDev, rootIno;
  private final Fh rootFh;
  private final boolean xattrs;
  private final Map<Long, Loc> locations = new ConcurrentHashMap<>();
  /**
   * Open files by inode, least recently used first, at most {@link #OPEN_FILES}: READ and WRITE
   * do not open and close the file each time. Keyed by inode alone, which is safe: an inode we hold
   * open cannot be freed and its number reused, and every call has resolved its handle (device,
   * inode, generation) to this inode first.
   */
  private final java.util.LinkedHashMap<Long, FileChannel> open = new java.util.LinkedHashMap<>(16, 0.75f, true);
  static final int OPEN_FILES = 64;

  /** Where an inode was last seen: its parent directory's inode and its name there. */
  private record Loc(long parent, String name) {}

  private LocalVfs(Path root, byte[] key, boolean readOnly, boolean allowDevices) throws IOException {
    this.root = root;
    this.exportPath = root.toString();
    this.key = key.clone();
    byte[] k = this.key;
    this.macs = ThreadLocal.withInitial(() -> newMac(k));
    this.readOnly = readOnly;
    this.allowDevices = allowDevices;
    this.exportId = Arrays.hashCode(exportPath.getBytes(StandardCharsets.UTF_8));
    Map<String, Object> a = Files.readAttributes(root, "unix:dev,ino", NOFOLLOW);
    this.rootDev = (Long) a.get("dev");
    this.rootIno = (Long) a.get("ino");
    boolean x;
    try {
      UserDefinedFileAttributeView v = Files.getFileAttributeView(root, UserDefinedFileAttributeView.class, NOFOLLOW);
      x = v != null;
      if (x && !readOnly) generation(root, FileType.DIR);
    } catch (UnsupportedOperationException e) {
      x = false;
    }
    this.xattrs = x;
    this.rootFh = handle(rootIno, generation(root, FileType.DIR));
  }

  /**
   * Opens an export of directory {@code dir} (absolute, a real directory, not a symlink).
   * @param key the server's handle key (at least 16 bytes), the same across restarts
   */
  public static LocalVfs open(Path dir, byte[] key, boolean readOnly, boolean allowDevices) throws IOException {
    if (key.length < 16) throw new IllegalArgumentException("handle key of " + key.length + " bytes");
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs, NOFOLLOW)) throw new IOException(abs + " is not a directory (or is a symlink)");
    return new LocalVfs(abs, key, readOnly, allowDevices);
  }

  @Override public Fh root() { return rootFh; }

  @Override public String exportPath() { return exportPath; }

  @Override public boolean readOnly() { return readOnly; }

  @Override public long writeVerifier() { return writeVerifier; }

  // =================================================================== handles

  private Fh handle(long ino, long gen) {
    ByteBuffer b = ByteBuffer.allocate(HANDLE_LEN);
    b.put(VERSION).putInt(exportId).putLong(ino).putLong(gen);
    b.put(mac(b.array(), 21), 0, 16);
    return new Fh(b.array());
  }

  private static Mac newMac(byte[] key) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  private byte[] mac(byte[] data, int len) {
    Mac m = macs.get();
    m.update(data, 0, len);
    return m.doFinal();
  }

  @Override public boolean owns(Fh fh) {
    byte[] b = fh.bytes();
    if (b.length != HANDLE_LEN || b[0] != VERSION || ByteBuffer.wrap(b).getInt(1) != exportId) return false;
    return MessageDigest.isEqual(Arrays.copyOf(mac(b, 21), 16), Arrays.copyOfRange(b, 21, 37));
  }

  /** A file as a handle named it: its path and its attributes, read once per call. */
  private record Node(Path path, Attr attr) {
    Path resolve(String name) { return path.resolve(name); }
  }

  /**
   * The file a handle names, checked to be the same device, inode and generation: the path from
   * the location map if it still leads to the inode, else from a walk of the export.
   */
  private Node node(Fh fh) throws VfsException {
    if (!owns(fh)) throw new VfsException(Errno.BADHANDLE, "not a handle of " + exportPath);
    ByteBuffer b = ByteBuffer.wrap(fh.bytes());
    long ino = b.getLong(5), gen = b.getLong(13);
    Path p = fromMap(ino);
    Attr a = p == null ? null : attrsIfThere(p);
    if (a == null || a.fileid() != ino || a.fsid() != rootDev) {
      p = scan(ino);
      a = p == null ? null : attrsIfThere(p);
    }
    if (a == null) throw new VfsException(Errno.STALE, "inode " + ino + " is gone from " + exportPath);
    if (gen != 0 && gen != storedGeneration(p)) throw new VfsException(Errno.STALE, "inode " + ino + " was reused");
    return new Node(p, a);
  }

  private Attr attrsIfThere(Path p) {
    try {
      return attrs(p);
    } catch (VfsException e) {
      return null;
    }
  }

  private Path fromMap(long ino) {
    List<String> names = new ArrayList<>();
    long cur = ino;
    for (int depth = 0; cur != rootIno; depth++) {
      Loc l = locations.get(cur);
      if (l == null || depth > 4096) return null;
      names.add(l.name());
      cur = l.parent();
    }
    Path p = root;
    for (int i = names.size() - 1; i >= 0; i--) p = p.resolve(names.get(i));
    return p;
  }

  /** Breadth-first search of the export for {@code ino}, not following symlinks or leaving the device. */
  private Path scan(long ino) {
    if (ino == rootIno) return root;
    ArrayDeque<Path> dirs = new ArrayDeque<>();
    dirs.add(root);
    int seen = 0;
    while (!dirs.isEmpty() && seen < MAX_SCAN) {
      Path d = dirs.poll();
      long dIno = inoOf(d);
      try (DirectoryStream<Path> s = Files.newDirectoryStream(d)) {
        for (Path c : s) {
          seen++;
          Map<String, Object> a;
          try {
            a = Files.readAttributes(c, "unix:dev,ino,mode", NOFOLLOW);
          } catch (IOException e) {
            continue;
          }
          long ci = (Long) a.get("ino");
          locations.put(ci, new Loc(dIno, c.getFileName().toString()));
          if (ci == ino && (Long) a.get("dev") == rootDev) return c;
          if (((Integer) a.get("mode") & 0170000) == 0040000 && (Long) a.get("dev") == rootDev) dirs.add(c);
        }
      } catch (IOException e) {
        // unreadable directory: skip it
      }
    }
    return null;
  }

  private long inoOf(Path p) {
    try {
      return (Long) Files.getAttribute(p, "unix:ino", NOFOLLOW);
    } catch (IOException e) {
      return -1;
    }
  }

  private long storedGeneration(Path p) {
    if (!xattrs) return 0;
    try {
      UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW);
      if (!v.list().contains(GEN_XATTR)) return 0;
      ByteBuffer b = ByteBuffer.allocate(8);
      v.read(GEN_XATTR, b);
      return b.flip().remaining() == 8 ? b.getLong() : 0;
    } catch (IOException | UnsupportedOperationException e) {
      return 0;
    }
  }

  /** The file's generation, made (and stored) the first time; 0 where xattrs cannot hold one. */
  private long generation(Path p, FileType type) {
    if (!xattrs || (type != FileType.REG && type != FileType.DIR)) return 0;
    long g = storedGeneration(p);
    if (g != 0 || readOnly) return g;
    long fresh = new SecureRandom().nextLong() | 1;
    try {
      Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW)
          .write(GEN_XATTR, ByteBuffer.allocate(8).putLong(fresh).flip());
      return fresh;
    } catch (IOException | UnsupportedOperationException e) {
      return 0;
    }
  }

  /** The handle of a path we just reached from {@code dirIno}, remembering where it is. */
  private Fh handleOf(Path p, long dirIno, String name) throws VfsException { return handleOf(p, attrs(p), dirIno, name); }

  /** As {@link #handleOf(Path, long, String)} with the attributes already read. */
  private Fh handleOf(Path p, Attr a, long dirIno, String name) {
    if (a.fileid() != rootIno) locations.put(a.fileid(), new Loc(dirIno, name));
    return handle(a.fileid(), generation(p, a.type()));
  }

  // =================================================================== attributes

  private Attr attrs(Path p) throws VfsException {
    try {
      Map<String, Object> a = Files.readAttributes(p, "unix:*", NOFOLLOW);
      int mode = (Integer) a.get("mode");
      long rdev = (Long) a.get("rdev");
      long size = (Long) a.get("size");
      return new Attr(typeOf(mode), mode & 07777, (Integer) a.get("nlink"), (Integer) a.get("uid"), (Integer) a.get("gid"), size,
          (size + 4095) & ~4095L, (int) ((rdev >> 8) & 0xfff), (int) ((rdev & 0xff) | ((rdev >> 12) & ~0xffL)),
          (Long) a.get("dev"), (Long) a.get("ino"), nanos((FileTime) a.get("lastAccessTime")),
          nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")));
    } catch (IOException e) {
      throw map(e, p);
    }
  }

  private static long nanos(FileTime t) { return t.to(TimeUnit.NANOSECONDS); }

  static FileType typeOf(int mode) {
    return switch (mode & 0170000) {
      case 0040000 -> FileType.DIR;
      case 0120000 -> FileType.LNK;
      case 0020000 -> FileType.CHR;
      case 0060000 -> FileType.BLK;
      case 0140000 -> FileType.SOCK;
      case 0010000 -> FileType.FIFO;
      default -> FileType.REG;
    };
  }

  @Override public Attr getattr(Fh fh) throws VfsException { return node(fh).attr(); }

  @Override public Attr setattr(Fh fh, SetAttr s, Subject who) throws VfsException {
    Node fn = node(fh);
    Path p = fn.path();
    Attr a = fn.attr();
    if (s.isEmpty()) return a;
    writable();
    boolean owner = who.isRoot() || who.uid() == a.uid();
    if (s.size() != null) {
      if (a.type() == FileType.DIR) throw new VfsException(Errno.ISDIR, "size of a directory");
      if (a.type() != FileType.REG) throw new VfsException(Errno.INVAL, "size of a " + a.type());
      if (!owner && !allowed(a, who, 2)) throw new VfsException(Errno.ACCES, "no write permission to truncate");
    }
    if (s.mode() != null && !owner) throw new VfsException(Errno.PERM, "only the owner may chmod");
    if (s.uid() != null && s.uid() != a.uid() && !who.isRoot()) throw new VfsException(Errno.PERM, "only root may chown");
    if (s.gid() != null && s.gid() != a.gid() && !who.isRoot() && !(owner && who.inGroup(s.gid())))
      throw new VfsException(Errno.PERM, "chgrp to a group the caller is not in");
    if ((s.atimeNanos() != null || s.mtimeNanos() != null) && !owner) {
      boolean bothNow = (s.atimeNanos() == null || s.atimeNanos() == SetAttr.SERVER_TIME)
          && (s.mtimeNanos() == null || s.mtimeNanos() == SetAttr.SERVER_TIME);
      if (!bothNow || !allowed(a, who, 2)) throw new VfsException(Errno.PERM, "only the owner may set times");
    }
    try {
      if (s.size() != null) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, NOFOLLOW)) {
          if (s.size() < ch.size()) ch.truncate(s.size());
          else if (s.size() > ch.size()) ch.write(ByteBuffer.allocate(1), s.size() - 1);
        }
      }
      if (s.uid() != null || s.gid() != null) {
        if (s.uid() != null) Files.setAttribute(p, "unix:uid", s.uid(), NOFOLLOW);
        if (s.gid() != null) Files.setAttribute(p, "unix:gid", s.gid(), NOFOLLOW);
      }
      if (s.mode() != null && a.type() != FileType.LNK) Files.setAttribute(p, "unix:mode", s.mode() & 07777, NOFOLLOW);
      if (s.atimeNanos() != null || s.mtimeNanos() != null) {
        long now = System.currentTimeMillis() * 1_000_000L;
        FileTime at = s.atimeNanos() == null ? null : FileTime.from(s.atimeNanos() == SetAttr.SERVER_TIME ? now : s.atimeNanos(), TimeUnit.NANOSECONDS);
        FileTime mt = s.mtimeNanos() == null ? null : FileTime.from(s.mtimeNanos() == SetAttr.SERVER_TIME ? now : s.mtimeNanos(), TimeUnit.NANOSECONDS);
        Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(mt, at, null);
      }
    } catch (IOException e) {
      throw map(e, p);
    }
    return attrs(p);
  }

  // =================================================================== permissions

  /** Whether {@code who} has the rwx bit {@code bit} (4, 2, 1) on a file with attributes {@code a}. */
  static boolean allowed(Attr a, Subject who, int bit) {
    if (who.isRoot()) return bit != 1 || a.type() == FileType.DIR || (a.mode() & 0111) != 0;
    int m = a.mode();
    if (who.uid() == a.uid()) return ((m >> 6) & bit) != 0;
    if (who.inGroup(a.gid())) return ((m >> 3) & bit) != 0;
    return (m & bit) != 0;
  }

  private void need(Attr a, Subject who, int bit, String what) throws VfsException {
    if (!allowed(a, who, bit)) throw new VfsException(Errno.ACCES, what);
  }

  private void writable() throws VfsException {
    if (readOnly) throw new VfsException(Errno.ROFS, exportPath + " is exported read-only");
  }

  /** Write and search permission on a directory, to add or remove entries. */
  private Attr dirForChange(Node dir, Subject who) throws VfsException {
    writable();
    Attr d = dir.attr();
    if (d.type() != FileType.DIR) throw new VfsException(Errno.NOTDIR, "not a directory");
    need(d, who, 2, "no write permission on the directory");
    need(d, who, 1, "no search permission on the directory");
    return d;
  }

  /** The sticky bit (S_ISVTX): only the owner of the entry or of the directory, or root, may remove or rename it. */
  private void sticky(Attr dir, Path entry, Subject who) throws VfsException {
    if ((dir.mode() & 01000) == 0 || who.isRoot() || who.uid() == dir.uid()) return;
    if (attrs(entry).uid() != who.uid()) throw new VfsException(Errno.ACCES, "sticky directory");
  }

  @Override public int access(Fh fh, int mask, Subject who) throws VfsException {
    Attr a = getattr(fh);
    int got = 0;
    boolean dir = a.type() == FileType.DIR;
    if ((mask & 0x01) != 0 && allowed(a, who, 4)) got |= 0x01;                         // READ
    if ((mask & 0x02) != 0 && dir && allowed(a, who, 1)) got |= 0x02;                  // LOOKUP
    if (!readOnly) {
      if ((mask & 0x04) != 0 && allowed(a, who, 2)) got |= 0x04;                       // MODIFY
      if ((mask & 0x08) != 0 && allowed(a, who, 2)) got |= 0x08;                       // EXTEND
      if ((mask & 0x10) != 0 && dir && allowed(a, who, 2)) got |= 0x10;                // DELETE
    }
    if ((mask & 0x20) != 0 && !dir && allowed(a, who, 1)) got |= 0x20;                 // EXECUTE
    return got;
  }

  // =================================================================== names

  /** A single component we will append to a path: never "/", NUL, "." or "..", at most 255 bytes. */
  static String checkName(String name) throws VfsException {
    if (name.isEmpty() || name.equals(".") || name.equals("..")) throw new VfsException(Errno.INVAL, "name '" + name + "'");
    if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) throw new VfsException(Errno.INVAL, "name with '/' or NUL");
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) throw new VfsException(Errno.NAMETOOLONG, "name over 255 bytes");
    return name;
  }

  private Node dirNode(Fh dir) throws VfsException {
    Node d = node(dir);
    if (d.attr().type() != FileType.DIR) throw new VfsException(Errno.NOTDIR, "not a directory");
    return d;
  }

  @Override public Fh lookup(Fh dir, String name, Subject who) throws VfsException {
    Node d = dirNode(dir);
    Attr da = d.attr();
    need(da, who, 1, "no search permission");
    if (name.equals(".")) return dir;
    if (name.equals("..")) {
      if (da.fileid() == rootIno) return rootFh;                                        // ".." at the root stays there
      Path parent = d.path().getParent();
      if (parent == null || parent.equals(root) || !parent.startsWith(root)) return rootFh;
      return handleOf(parent, inoOf(parent.getParent()), parent.getFileName().toString());
    }
    Path p = d.resolve(checkName(name));
    if (!Files.exists(p, NOFOLLOW)) throw new VfsException(Errno.NOENT, name);
    return handleOf(p, da.fileid(), name);
  }

  @Override public String readlink(Fh fh, Subject who) throws VfsException {
    Path p = node(fh).path();
    try {
      return Files.readSymbolicLink(p).toString();
    } catch (NotLinkException e) {
      throw new VfsException(Errno.INVAL, "not a symbolic link");
    } catch (IOException e) {
      throw map(e, p);
    }
  }

  // =================================================================== data

  @Override public ReadResult read(Fh fh, long offset, int count, Subject who) throws VfsException {
    Node fn = node(fh);
    Path p = fn.path();
    Attr a = fn.attr();
    if (a.type() == FileType.DIR) throw new VfsException(Errno.ISDIR, "read of a directory");
    if (a.type() != FileType.REG) throw new VfsException(Errno.INVAL, "read of a " + a.type());
    // the owner may read a file whatever its mode (knfsd's owner override: open-then-chmod)
    if (who.uid() != a.uid()) need(a, who, 4, "no read permission");
    if (offset < 0) throw new VfsException(Errno.INVAL, "negative offset");
    try {
      FileChannel ch = channel(p, a.fileid());
      long size = ch.size();
      ByteBuffer b = ByteBuffer.allocate((int) Math.max(0, Math.min(count, Math.max(0, size - offset))));
      while (b.hasRemaining()) {
        int n = ch.read(b, offset + b.position());
        if (n < 0) break;
      }
      b.flip();
      return new ReadResult(b, offset + b.remaining() >= size);
    } catch (IOException e) {
      throw map(e, p);
    }
  }

  @Override public WriteResult write(Fh fh, long offset, ByteBuffer data, Stability stable, Subject who) throws VfsException {
    writable();
    Node fn = node(fh);
    Path p = fn.path();
    Attr a = fn.attr();
    if (a.type() == FileType.DIR) throw new VfsException(Errno.ISDIR, "write to a directory");
    if (a.type() != FileType.REG) throw new VfsException(Errno.INVAL, "write to a " + a.type());
    if (who.uid() != a.uid()) need(a, who, 2, "no write permission");
    if (offset < 0) throw new VfsException(Errno.INVAL, "negative offset");
    int n = data.remaining();
    try {
      FileChannel ch = channel(p, a.fileid());
      long pos = offset;
      while (data.hasRemaining()) pos += ch.write(data, pos);
      if (stable != Stability.UNSTABLE) ch.force(stable == Stability.FILE_SYNC);
    } catch (java.nio.channels.NonWritableChannelException e) {
      throw new VfsException(Errno.ROFS, "the file could only be opened for reading (read-only file system or immutable)");
    } catch (IOException e) {
      throw map(e, p);
    }
    return new WriteResult(n, stable);
  }

  @Override public void commit(Fh fh, long offset, long count) throws VfsException {
    Node fn = node(fh);
    Path p = fn.path();
    Attr a = fn.attr();
    if (a.type() != FileType.REG) return;
    try {
      channel(p, a.fileid()).force(true);                   // fsync(2) flushes the inode's dirty pages
    } catch (IOException e) {
      throw map(e, p);
    }
  }

  /** The open channel of a regular file (READ and WRITE unless the export is read-only), from the cache or opened now. */
  private FileChannel channel(Path p, long ino) throws IOException {
    synchronized (open) {
      FileChannel c = open.get(ino);
      if (c != null && c.isOpen()) return c;
    }
    FileChannel c;
    if (readOnly) {
      c = FileChannel.open(p, StandardOpenOption.READ, NOFOLLOW);
    } else {
      try {
        c = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE, NOFOLLOW);
      } catch (FileSystemException e) {
        // a read-only file system or an immutable file: reads still work, a write fails later
        c = FileChannel.open(p, StandardOpenOption.READ, NOFOLLOW);
      }
    }
    FileChannel evicted = null;
    synchronized (open) {
      FileChannel raced = open.putIfAbsent(ino, c);
      if (raced != null && raced.isOpen()) {
        evicted = c;                                        // another thread opened it first: use theirs
        c = raced;
      } else {
        if (raced != null) open.put(ino, c);
        if (open.size() > OPEN_FILES) {
          Long eldest = open.keySet().iterator().next();
          evicted = open.remove(eldest);
        }
      }
    }
    if (evicted != null) evicted.close();                   // a read in flight on it fails and is retried by the client
    return c;
  }

  /** Forgets the open channel of an inode whose last name is gone, so its space is freed. */
  private void closeIfGone(Attr a) {
    if (a.type() != FileType.REG || a.nlink() > 1) return;
    FileChannel c;
    synchronized (open) {
      c = open.remove(a.fileid());
    }
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // nothing to keep
      }
    }
  }

  // =================================================================== creating

  /** After creating {@code p} as root: the caller owns it, with the mode asked (or the default). */
  private void own(Path p, SetAttr attrs, Subject who, int defaultMode, boolean link) throws IOException {
    Files.setAttribute(p, "unix:uid", attrs.uid() != null && who.isRoot() ? attrs.uid() : who.uid(), NOFOLLOW);
    Files.setAttribute(p, "unix:gid", attrs.gid() != null && (who.isRoot() || who.inGroup(attrs.gid())) ? attrs.gid() : who.gid(), NOFOLLOW);
    if (!link) Files.setAttribute(p, "unix:mode", (attrs.mode() != null ? attrs.mode() : defaultMode) & 07777, NOFOLLOW);
  }

  @Override public Fh create(Fh dir, String name, SetAttr attrs, boolean guarded, byte[] exclusive, Subject who) throws VfsException {
    Node d = dirNode(dir);
    Attr da = dirForChange(d, who);
    Path p = d.resolve(checkName(name));
    try {
      Files.createFile(p);
    } catch (FileAlreadyExistsException e) {
      if (exclusive != null) {                                                          // a retransmitted EXCLUSIVE create?
        if (Arrays.equals(exclusive, storedVerifier(p))) return handleOf(p, da.fileid(), name);
        throw new VfsException(Errno.EXIST, name);
      }
      if (guarded) throw new VfsException(Errno.EXIST, name);
      Fh fh = handleOf(p, da.fileid(), name);
      if (attrs.size() != null) setattr(fh, new SetAttr(null, null, null, attrs.size(), null, null), who);
      return fh;
    } catch (IOException e) {
      throw map(e, p);
    }
    try {
      own(p, exclusive != null ? SetAttr.NONE : attrs, who, 0644, false);
      if (exclusive != null && xattrs)
        Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW).write(VERF_XATTR, ByteBuffer.wrap(exclusive));
    } catch (IOException e) {
      throw map(e, p);
    }
    return handleOf(p, da.fileid(), name);
  }

  private byte[] storedVerifier(Path p) {
    try {
      UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, NOFOLLOW);
      if (!v.list().contains(VERF_XATTR)) return null;
      ByteBuffer b = ByteBuffer.allocate(8);
      v.read(VERF_XATTR, b);
      return Arrays.copyOf(b.array(), b.position());
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  @Override public Fh mkdir(Fh dir, String name, SetAttr attrs, Subject who) throws VfsException {
    Node d = dirNode(dir);
    Attr da = dirForChange(d, who);
    Path p = d.resolve(checkName(name));
    try {
      Files.createDirectory(p);
      own(p, attrs, who, 0755, false);
    } catch (IOException e) {
      throw map(e, p);
    }
    return handleOf(p, da.fileid(), name);
  }

  @Override public Fh symlink(Fh dir, String name, String target, SetAttr attrs, Subject who) throws VfsException {
    Node d = dirNode(dir);
    Attr da = dirForChange(d, who);
    if (target.isEmpty() || target.indexOf('\0') >= 0 || target.length() > 4096) throw new VfsException(Errno.INVAL, "symlink target");
    Path p = d.resolve(checkName(name));
    try {
      Files.createSymbolicLink(p, Path.of(target));                                     // stored as given, never followed by us
      own(p, attrs, who, 0777, true);
    } catch (IOException e) {
      throw map(e, p);
    }
    return handleOf(p, da.fileid(), name);
  }

  @Override public Fh mknod(Fh dir, String name, FileType type, int major, int minor, SetAttr attrs, Subject who) throws VfsException {
    Node d = dirNode(dir);
    Attr da = dirForChange(d, who);
    Path p = d.resolve(checkName(name));
    int kind = switch (type) {
      case FIFO -> Posix.S_IFIFO;
      case SOCK -> Posix.S_IFSOCK;
      case CHR, BLK -> {
        if (!allowDevices) throw new VfsException(Errno.PERM, "device files are not allowed on " + exportPath);
        if (!who.isRoot()) throw new VfsException(Errno.PERM, "only root may make device files");
        yield type == FileType.CHR ? Posix.S_IFCHR : Posix.S_IFBLK;
      }
      default -> throw new VfsException(Errno.BADTYPE, "mknod of a " + type);
    };
    if (Files.exists(p, NOFOLLOW)) throw new VfsException(Errno.EXIST, name);
    int err = Posix.mknod(p.toString(), kind | 0600, major, minor);
    if (err != 0) throw new VfsException(err == 17 ? Errno.EXIST : err == 1 ? Errno.PERM : Errno.IO, "mknod: errno " + err);
    try {
      own(p, attrs, who, 0644, false);
    } catch (IOException e) {
      throw map(e, p);
    }
    return handleOf(p, da.fileid(), name);
  }

  // =================================================================== removing, renaming, linking

  @Override public void remove(Fh dir, String name, Subject who) throws VfsException {
    Node d = dirNode(dir);
    Attr da = dirForChange(d, who);
    Path p = d.resolve(checkName(name));
    Attr a = attrs(p);
    if (a.type() == FileType.DIR) throw new VfsException(Errno.ISDIR, name + " is a directory");
    sticky(da, p, who);
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw map(e, p);
    }
    closeIfGone(a);
    if (a.nlink() <= 1) locations.remove(a.fileid());
  }

  @Override public void rmdir(Fh dir, String name, Subject who) throws VfsException {
    Node d = dirNode(dir);
    Attr da = dirForChange(d, who);
    Path p = d.resolve(checkName(name));
    Attr a = attrs(p);
    if (a.type() != FileType.DIR) throw new VfsException(Errno.NOTDIR, name + " is not a directory");
    sticky(da, p, who);
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw map(e, p);
    }
    locations.remove(a.fileid());
  }

  @Override public void rename(Fh fromDir, String fromName, Fh toDir, String toName, Subject who) throws VfsException {
    Node fd = dirNode(fromDir), td = dirNode(toDir);
    Attr fda = dirForChange(fd, who), tda = dirForChange(td, who);
    Path from = fd.resolve(checkName(fromName)), to = td.resolve(checkName(toName));
    Attr a = attrs(from);
    sticky(fda, from, who);
    if (a.type() == FileType.DIR && isInside(td.path(), a.fileid())) throw new VfsException(Errno.INVAL, "a directory into itself");
    Attr replaced = null;
    if (Files.exists(to, NOFOLLOW)) {
      Attr t = attrs(to);
      replaced = t;
      sticky(tda, to, who);
      if (a.type() == FileType.DIR && t.type() != FileType.DIR) throw new VfsException(Errno.NOTDIR, toName + " is not a directory");
      if (a.type() != FileType.DIR && t.type() == FileType.DIR) throw new VfsException(Errno.ISDIR, toName + " is a directory");
    }
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);                             // rename(2): replaces the target
    } catch (IOException e) {
      throw map(e, from);
    }
    locations.put(a.fileid(), new Loc(tda.fileid(), toName));
    if (replaced != null && replaced.fileid() != a.fileid()) closeIfGone(replaced);
  }

  /** Whether {@code dir} is {@code ino} or inside it (rename of a directory into its own subtree). */
  private boolean isInside(Path dir, long ino) {
    for (Path p = dir; p != null && p.startsWith(root); p = p.getParent()) if (inoOf(p) == ino) return true;
    return false;
  }

  @Override public void link(Fh file, Fh dir, String name, Subject who) throws VfsException {
    Node fn = node(file);
    Path f = fn.path();
    Node d = dirNode(dir);
    Attr da = dirForChange(d, who);
    if (fn.attr().type() == FileType.DIR) throw new VfsException(Errno.ISDIR, "hard link to a directory");
    Path p = d.resolve(checkName(name));
    try {
      Files.createLink(p, f);
    } catch (IOException e) {
      throw map(e, p);
    }
  }

  // =================================================================== listing

  /** A name's cookie: 63 bits of a keyed hash, never 0, 1 or 2. */
  long cookieOf(String name) {
    byte[] in = ("dir:" + name).getBytes(StandardCharsets.UTF_8);
    byte[] h = mac(in, in.length);
    long c = ByteBuffer.wrap(h).getLong() & Long.MAX_VALUE;
    return c < 3 ? c + 3 : c;
  }

  @Override public DirList list(Fh dir, long cookie, long verifier, int maxEntries, Subject who) throws VfsException {
    Node d = dirNode(dir);
    Attr da = d.attr();
    need(da, who, 4, "no read permission on the directory");
    if (maxEntries < 1) throw new VfsException(Errno.TOOSMALL, "no room for an entry");
    List<long[]> order = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(d.path())) {
      for (Path c : s) {
        String n = c.getFileName().toString();
        names.add(n);
        order.add(new long[] {cookieOf(n), names.size() - 1});
      }
    } catch (IOException e) {
      throw map(e, d.path());
    }
    order.sort((x, y) -> Long.compare(x[0], y[0]));
    List<DirEntry> out = new ArrayList<>();
    if (cookie < COOKIE_DOT) out.add(new DirEntry(".", da.fileid(), COOKIE_DOT, dir, da));
    if (cookie < COOKIE_DOTDOT && out.size() < maxEntries) {
      long parentIno = da.fileid() == rootIno ? rootIno : inoOf(d.path().getParent());
      out.add(new DirEntry("..", parentIno, COOKIE_DOTDOT, null, null));
    }
    boolean eof = true;
    for (long[] o : order) {
      if (o[0] <= cookie) continue;
      if (out.size() >= maxEntries) { eof = false; break; }
      String n = names.get((int) o[1]);
      out.add(entry(d.resolve(n), n, o[0], da.fileid()));
    }
    return new DirList(out, eof, da.mtimeNanos());
  }

  private DirEntry entry(Path p, String name, long cookie, long dirIno) {
    try {
      Attr a = attrs(p);
      return new DirEntry(name, a.fileid(), cookie, handleOf(p, a, dirIno, name), a);
    } catch (VfsException e) {
      return new DirEntry(name, 0, cookie, null, null);                                  // vanished meanwhile
    }
  }

  @Override public FsStat fsstat(Fh fh) throws VfsException {
    node(fh);
    long[] v = Posix.statvfs(root.toString());
    if (v == null) throw new VfsException(Errno.IO, "statvfs of " + exportPath);
    return new FsStat(v[0], v[1], v[2], v[3], v[4], v[5]);
  }

  // =================================================================== errors

  static VfsException map(IOException e, Path p) {
    if (e instanceof VfsException v) return v;
    String what = p.getFileName() == null ? "/" : p.getFileName().toString();
    if (e instanceof NoSuchFileException) return new VfsException(Errno.NOENT, what, e);
    if (e instanceof FileAlreadyExistsException) return new VfsException(Errno.EXIST, what, e);
    if (e instanceof DirectoryNotEmptyException) return new VfsException(Errno.NOTEMPTY, what, e);
    if (e instanceof NotDirectoryException) return new VfsException(Errno.NOTDIR, what, e);
    if (e instanceof AccessDeniedException) return new VfsException(Errno.ACCES, what, e);
    if (e instanceof FileSystemException f && f.getReason() != null) {
      String r = f.getReason();
      if (r.contains("Not a directory")) return new VfsException(Errno.NOTDIR, what, e);
      if (r.contains("Is a directory")) return new VfsException(Errno.ISDIR, what, e);
      if (r.contains("Directory not empty")) return new VfsException(Errno.NOTEMPTY, what, e);
      if (r.contains("No space")) return new VfsException(Errno.NOSPC, what, e);
      if (r.contains("Read-only")) return new VfsException(Errno.ROFS, what, e);
      if (r.contains("Too many links")) return new VfsException(Errno.MLINK, what, e);
      if (r.contains("cross-device") || r.contains("Invalid cross-device")) return new VfsException(Errno.XDEV, what, e);
      if (r.contains("File name too long")) return new VfsException(Errno.NAMETOOLONG, what, e);
      if (r.contains("Operation not permitted")) return new VfsException(Errno.PERM, what, e);
      if (r.contains("Too many levels of symbolic links")) return new VfsException(Errno.NOTDIR, what, e);
      if (r.contains("File too large")) return new VfsException(Errno.FBIG, what, e);
      if (r.contains("Disk quota")) return new VfsException(Errno.DQUOT, what, e);
    }
    return new VfsException(Errno.IO, what + ": " + e, e);
  }

  /** For tests: forget where inodes are, as after a restart. */
  void forgetLocations() { locations.clear(); }
}
