package io.tapnfs.nfs.v3;

import io.tapnfs.nfs.vfs.Attr;
import io.tapnfs.nfs.vfs.Errno;
import io.tapnfs.nfs.vfs.Fh;
import io.tapnfs.nfs.vfs.FileType;
import io.tapnfs.nfs.vfs.SetAttr;
import io.tapnfs.nfs.vfs.Stability;
import io.tapnfs.nfs.vfs.Subject;
import io.tapnfs.nfs.vfs.Vfs;
import io.tapnfs.nfs.vfs.VfsException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small in-memory {@link Vfs} for the protocol tests: inodes in a map, handles of 9 bytes
 * (export id, inode), stable per-directory cookies ("." 1, ".." 2, children from 3 in creation
 * order), EXCLUSIVE create verifiers. It stands for the kernel: owner/group/other permission
 * checks and chown(2)'s rules, which root passes; the export rules (squashing, read-only, the
 * client and port checks) are not here but in {@link io.tapnfs.nfs.vfs.AccessPolicy}, which the
 * protocol code applies before calling, as it does for KernelVfs. The clock is a counter, so
 * every change gets a distinct ctime. The name "boom" makes LOOKUP throw a RuntimeException (a
 * bug in the VFS, for SERVERFAULT). One lock: every method is synchronized.
 */
public final class MemVfs implements Vfs {
  static final int HANDLE_LEN = 9;
  static final long VERIFIER = 0x0123456789abcdefL;

  private final byte id;
  private final String path;
  private final boolean readOnly;
  private final Map<Long, Node> nodes = new HashMap<>();
  private long nextIno = 2, now = 1_700_000_000_000_000_000L;

  private static final class Node {
    final long ino;
    final FileType type;
    int mode, uid, gid, major, minor;
    long nlink = 1, atime, mtime, ctime, parent, nextCookie = 3;
    byte[] data = new byte[0];
    int size;
    String link;
    byte[] verf;
    final Map<String, Long> children = new HashMap<>();
    final Map<String, Long> cookieOf = new HashMap<>();
    final TreeMap<Long, String> byCookie = new TreeMap<>();

    Node(long ino, FileType type) { this.ino = ino; this.type = type; }
  }

  public MemVfs(int id, String path, boolean readOnly) {
    this.id = (byte) id;
    this.path = path;
    this.readOnly = readOnly;
    Node root = new Node(1, FileType.DIR);
    root.mode = 0777;
    root.nlink = 2;
    root.parent = 1;
    root.atime = root.mtime = root.ctime = tick();
    nodes.put(1L, root);
  }

  byte id() { return id; }

  private long tick() { return now += 1_000; }

  Fh handle(long ino) {
    return new Fh(ByteBuffer.allocate(HANDLE_LEN).put(id).putLong(ino).array());
  }

  /** Whether {@code fh} is one of ours by shape (the export byte); the inode may be gone. */
  boolean mine(Fh fh) { return fh.length() == HANDLE_LEN && fh.bytes()[0] == id; }

  private Node node(Fh fh) throws VfsException {
    if (!mine(fh)) throw new VfsException(Errno.BADHANDLE, "not a handle of export " + id);
    Node n = nodes.get(ByteBuffer.wrap(fh.bytes(), 1, 8).getLong());
    if (n == null) throw new VfsException(Errno.STALE, "no inode for " + fh);
    return n;
  }

  private Node dir(Fh fh) throws VfsException {
    Node n = node(fh);
    if (n.type != FileType.DIR) throw new VfsException(Errno.NOTDIR, "not a directory");
    return n;
  }

  private static void check(Node n, Subject who, int bits) throws VfsException {
    if (who.isRoot()) return;
    int m = who.uid() == n.uid ? n.mode >> 6 : who.inGroup(n.gid) ? n.mode >> 3 : n.mode;
    if ((m & bits) != bits) throw new VfsException(Errno.ACCES, "mode " + Integer.toOctalString(n.mode));
  }

  private static void name(String name) throws VfsException {
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) throw new VfsException(Errno.INVAL, "name " + name);
    if (name.getBytes(StandardCharsets.UTF_8).length > 255) throw new VfsException(Errno.NAMETOOLONG, "name");
  }

  private static Attr attr(Node n) {
    long size = n.type == FileType.DIR ? 4096 : n.type == FileType.LNK ? n.link.length() : n.size;
    return new Attr(n.type, n.mode, n.nlink, n.uid, n.gid, size, size, n.major, n.minor, 42, n.ino, n.atime, n.mtime, n.ctime);
  }

  @Override public Fh root() { return handle(1); }

  @Override public String exportPath() { return path; }

  @Override public boolean readOnly() { return readOnly; }

  @Override public synchronized Attr getattr(Fh fh) throws VfsException { return attr(node(fh)); }

  @Override public synchronized Attr setattr(Fh fh, SetAttr s, Subject who) throws VfsException {
    Node n = node(fh);
    if (!who.isRoot() && who.uid() != n.uid) throw new VfsException(Errno.PERM, "not the owner");
    // chown(2), as the kernel's chown_ok/chgrp_ok: only root gives a file away; its owner may
    // change its group to one the owner is in
    if (s.uid() != null && s.uid() != n.uid && !who.isRoot()) throw new VfsException(Errno.PERM, "only root may chown");
    if (s.gid() != null && s.gid() != n.gid && !who.isRoot() && !who.inGroup(s.gid()))
      throw new VfsException(Errno.PERM, "not in group " + s.gid());
    if (s.mode() != null) n.mode = io.tapnfs.nfs.vfs.AccessPolicy.mode(who, s.mode());
    if (s.uid() != null) n.uid = s.uid();
    if (s.gid() != null) n.gid = s.gid();
    if (s.size() != null) {
      if (n.type == FileType.DIR) throw new VfsException(Errno.ISDIR, "size of a directory");
      resize(n, s.size());
    }
    long t = tick();
    if (s.atimeNanos() != null) n.atime = s.atimeNanos() == SetAttr.SERVER_TIME ? t : s.atimeNanos();
    if (s.mtimeNanos() != null) n.mtime = s.mtimeNanos() == SetAttr.SERVER_TIME ? t : s.mtimeNanos();
    n.ctime = t;
    return attr(n);
  }

  private static void resize(Node n, long size) throws VfsException {
    if (size > 64 << 20) throw new VfsException(Errno.FBIG, "over 64 MiB in memory");
    if (size > n.data.length) n.data = Arrays.copyOf(n.data, (int) Math.max(size, n.data.length * 2L));
    if (size < n.size) Arrays.fill(n.data, (int) size, n.size, (byte) 0);
    n.size = (int) size;
  }

  @Override public synchronized Fh lookup(Fh dirFh, String name, Subject who) throws VfsException {
    Node d = dir(dirFh);
    check(d, who, 1);
    if (name.equals("boom")) throw new IllegalStateException("boom: a bug in the VFS");
    if (name.equals(".")) return dirFh;
    if (name.equals("..")) return handle(d.parent);
    Long ino = d.children.get(name);
    if (ino == null) throw new VfsException(Errno.NOENT, name);
    return handle(ino);
  }

  @Override public synchronized int access(Fh fh, int mask, Subject who) throws VfsException {
    Node n = node(fh);
    int got = 0;
    int[][] map = {{0x01, 4}, {0x02, 1}, {0x04, 2}, {0x08, 2}, {0x10, 2}, {0x20, 1}};
    for (int[] m : map) {
      if ((mask & m[0]) == 0) continue;
      try {
        check(n, who, m[1]);
        got |= m[0];
      } catch (VfsException e) {
        // not granted
      }
    }
    return got;
  }

  @Override public synchronized String readlink(Fh fh, Subject who) throws VfsException {
    Node n = node(fh);
    if (n.type != FileType.LNK) throw new VfsException(Errno.INVAL, "not a symlink");
    return n.link;
  }

  @Override public synchronized ReadResult read(Fh fh, long offset, int count, Subject who) throws VfsException {
    Node n = node(fh);
    if (n.type == FileType.DIR) throw new VfsException(Errno.ISDIR, "read of a directory");
    check(n, who, 4);
    if (offset >= n.size) return new ReadResult(ByteBuffer.allocate(0), true);
    int len = (int) Math.min(count, n.size - offset);
    return new ReadResult(ByteBuffer.wrap(Arrays.copyOfRange(n.data, (int) offset, (int) offset + len)), offset + len >= n.size);
  }

  @Override public synchronized WriteResult write(Fh fh, long offset, ByteBuffer data, Stability stable, Subject who) throws VfsException {
    Node n = node(fh);
    if (n.type == FileType.DIR) throw new VfsException(Errno.ISDIR, "write to a directory");
    check(n, who, 2);
    int len = data.remaining();
    if (offset + len > n.size) resize(n, offset + len);
    data.get(n.data, (int) offset, len);
    n.mtime = n.ctime = tick();
    return new WriteResult(len, Stability.FILE_SYNC);
  }

  @Override public synchronized void commit(Fh fh, long offset, long count) throws VfsException { node(fh); }

  @Override public long writeVerifier() { return VERIFIER; }

  private Node add(Node d, String name, FileType type, SetAttr attrs, Subject who) throws VfsException {
    Node n = new Node(nextIno++, type);
    n.mode = attrs.mode() != null ? io.tapnfs.nfs.vfs.AccessPolicy.mode(who, attrs.mode()) : type == FileType.DIR ? 0755 : 0644;
    n.uid = who.uid();
    n.gid = who.gid();
    n.parent = d.ino;
    n.atime = n.mtime = n.ctime = tick();
    if (type == FileType.DIR) {
      n.nlink = 2;
      d.nlink++;
    }
    nodes.put(n.ino, n);
    link(d, name, n.ino);
    return n;
  }

  private void link(Node d, String name, long ino) {
    long c = d.nextCookie++;
    d.children.put(name, ino);
    d.cookieOf.put(name, c);
    d.byCookie.put(c, name);
    d.mtime = d.ctime = tick();
  }

  private void unlink(Node d, String name) {
    d.children.remove(name);
    d.byCookie.remove(d.cookieOf.remove(name));
    d.mtime = d.ctime = tick();
  }

  private Node newEntry(Fh dirFh, String name, Subject who) throws VfsException {
    Node d = dir(dirFh);
    name(name);
    check(d, who, 3);
    if (d.children.containsKey(name)) throw new VfsException(Errno.EXIST, name);
    return d;
  }

  @Override public synchronized Fh create(Fh dirFh, String name, SetAttr attrs, boolean guarded, byte[] exclusive, Subject who)
      throws VfsException {
    Node d = dir(dirFh);
    name(name);
    Long existing = d.children.get(name);
    if (existing != null) {
      Node n = nodes.get(existing);
      if (exclusive != null) {
        if (n.verf != null && Arrays.equals(n.verf, exclusive)) return handle(n.ino);   // a retransmission
        throw new VfsException(Errno.EXIST, name);
      }
      if (guarded) throw new VfsException(Errno.EXIST, name);
      if (n.type == FileType.DIR) throw new VfsException(Errno.ISDIR, name);
      if (attrs.size() != null && attrs.size() == 0) resize(n, 0);
      return handle(n.ino);
    }
    check(d, who, 3);
    Node n = add(d, name, FileType.REG, attrs, who);
    if (exclusive != null) n.verf = exclusive.clone();
    return handle(n.ino);
  }

  @Override public synchronized Fh mkdir(Fh dirFh, String name, SetAttr attrs, Subject who) throws VfsException {
    return handle(add(newEntry(dirFh, name, who), name, FileType.DIR, attrs, who).ino);
  }

  @Override public synchronized Fh symlink(Fh dirFh, String name, String target, SetAttr attrs, Subject who) throws VfsException {
    Node n = add(newEntry(dirFh, name, who), name, FileType.LNK, attrs, who);
    n.mode = 0777;
    n.link = target;
    return handle(n.ino);
  }

  @Override public synchronized Fh mknod(Fh dirFh, String name, FileType type, int major, int minor, SetAttr attrs, Subject who)
      throws VfsException {
    Node d = newEntry(dirFh, name, who);
    if ((type == FileType.BLK || type == FileType.CHR) && !who.isRoot()) throw new VfsException(Errno.PERM, "devices need root");
    Node n = add(d, name, type, attrs, who);
    n.major = major;
    n.minor = minor;
    return handle(n.ino);
  }

  private Node child(Node d, String name) throws VfsException {
    Long ino = d.children.get(name);
    if (ino == null) throw new VfsException(Errno.NOENT, name);
    return nodes.get(ino);
  }

  @Override public synchronized void remove(Fh dirFh, String name, Subject who) throws VfsException {
    Node d = dir(dirFh);
    Node n = child(d, name);
    if (n.type == FileType.DIR) throw new VfsException(Errno.ISDIR, name);
    check(d, who, 3);
    unlink(d, name);
    if (--n.nlink == 0) nodes.remove(n.ino);
    else n.ctime = tick();
  }

  @Override public synchronized void rmdir(Fh dirFh, String name, Subject who) throws VfsException {
    Node d = dir(dirFh);
    Node n = child(d, name);
    if (n.type != FileType.DIR) throw new VfsException(Errno.NOTDIR, name);
    if (!n.children.isEmpty()) throw new VfsException(Errno.NOTEMPTY, name);
    check(d, who, 3);
    unlink(d, name);
    d.nlink--;
    nodes.remove(n.ino);
  }

  @Override public synchronized void rename(Fh fromDir, String fromName, Fh toDir, String toName, Subject who) throws VfsException {
    Node f = dir(fromDir), t = dir(toDir);
    name(toName);
    Node n = child(f, fromName);
    check(f, who, 3);
    check(t, who, 3);
    Long old = t.children.get(toName);
    if (old != null) {
      Node o = nodes.get(old);
      if (o.type == FileType.DIR && n.type != FileType.DIR) throw new VfsException(Errno.ISDIR, toName);
      if (o.type != FileType.DIR && n.type == FileType.DIR) throw new VfsException(Errno.NOTDIR, toName);
      if (o.type == FileType.DIR && !o.children.isEmpty()) throw new VfsException(Errno.NOTEMPTY, toName);
      unlink(t, toName);
      nodes.remove(o.ino);
    }
    unlink(f, fromName);
    link(t, toName, n.ino);
    n.parent = t.ino;
    n.ctime = tick();
  }

  @Override public synchronized void link(Fh file, Fh dirFh, String name, Subject who) throws VfsException {
    Node n = node(file);
    if (n.type == FileType.DIR) throw new VfsException(Errno.ISDIR, "hard link to a directory");
    Node d = newEntry(dirFh, name, who);
    link(d, name, n.ino);
    n.nlink++;
    n.ctime = tick();
  }

  @Override public synchronized DirList list(Fh dirFh, long cookie, long verifier, int maxEntries, Subject who) throws VfsException {
    Node d = dir(dirFh);
    check(d, who, 4);
    if (cookie < 0 || cookie >= d.nextCookie) throw new VfsException(Errno.BAD_COOKIE, "cookie " + cookie);
    List<DirEntry> out = new ArrayList<>();
    if (cookie < 1 && out.size() < maxEntries) out.add(new DirEntry(".", d.ino, 1, handle(d.ino), attr(d)));
    if (cookie < 2 && out.size() < maxEntries) out.add(new DirEntry("..", d.parent, 2, handle(d.parent), attr(nodes.get(d.parent))));
    var rest = d.byCookie.tailMap(cookie, false).entrySet().iterator();
    while (rest.hasNext() && out.size() < maxEntries) {
      var e = rest.next();
      Node n = nodes.get(d.children.get(e.getValue()));
      out.add(new DirEntry(e.getValue(), n.ino, e.getKey(), handle(n.ino), attr(n)));
    }
    long last = d.byCookie.isEmpty() ? 2 : d.byCookie.lastKey();
    boolean eof = out.isEmpty() ? cookie >= last : out.get(out.size() - 1).cookie() == last;
    return new DirList(out, eof, d.ino * 7919);
  }

  @Override public synchronized FsStat fsstat(Fh fh) throws VfsException {
    node(fh);
    return new FsStat(1L << 40, 1L << 39, 1L << 38, 1_000_000, 900_000, 800_000);
  }
}
