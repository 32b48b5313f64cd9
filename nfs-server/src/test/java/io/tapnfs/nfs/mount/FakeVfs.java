package io.tapnfs.nfs.mount;

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
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny in-memory Vfs for MOUNT: a tree of named nodes, handles {exportId, node index}, only
 * root/getattr/lookup implemented. A directory made with {@link #privateDir} may be searched only
 * by its owner uid (root is never refused, as a Vfs does). A handle of another export is BADHANDLE.
 */
final class FakeVfs implements Vfs {
  private record Node(String name, FileType type, int parent, int owner) {}

  private final byte exportId;
  private final String path;
  private final List<Node> nodes = new ArrayList<>();
  int getattrCalls;

  FakeVfs(int exportId, String path) {
    this.exportId = (byte) exportId;
    this.path = path;
    nodes.add(new Node("", FileType.DIR, 0, -1));
  }

  /** Adds {@code name} of {@code type} under the node {@code parent} handles; returns its handle. */
  Fh add(Fh parent, String name, FileType type) { return add(parent, name, type, -1); }

  Fh privateDir(Fh parent, String name, int owner) { return add(parent, name, FileType.DIR, owner); }

  private Fh add(Fh parent, String name, FileType type, int owner) {
    nodes.add(new Node(name, type, index(parent), owner));
    return fh(nodes.size() - 1);
  }

  private Fh fh(int i) { return new Fh(new byte[] {exportId, (byte) i}); }

  private int index(Fh fh) {
    byte[] b = fh.bytes();
    if (b.length != 2 || b[0] != exportId) return -1;
    return b[1] & 0xff;
  }

  private Node node(Fh fh) throws VfsException {
    int i = index(fh);
    if (i < 0) throw new VfsException(Errno.BADHANDLE, "not ours: " + fh);
    if (i >= nodes.size()) throw new VfsException(Errno.STALE, "no node " + i);
    return nodes.get(i);
  }

  @Override public Fh root() { return fh(0); }

  @Override public String exportPath() { return path; }

  @Override public boolean readOnly() { return true; }

  @Override public Attr getattr(Fh fh) throws VfsException {
    getattrCalls++;
    Node n = node(fh);
    return new Attr(n.type(), 0755, 1, 0, 0, 0, 0, 0, 0, exportId, index(fh), 0, 0, 0);
  }

  @Override public Fh lookup(Fh dir, String name, Subject who) throws VfsException {
    Node d = node(dir);
    if (d.type() != FileType.DIR) throw new VfsException(Errno.NOTDIR, d.name());
    if (d.owner() >= 0 && !who.isRoot() && who.uid() != d.owner()) throw new VfsException(Errno.ACCES, "search " + d.name());
    int di = index(dir);
    for (int i = 1; i < nodes.size(); i++) {
      if (nodes.get(i).parent() == di && nodes.get(i).name().equals(name)) return fh(i);
    }
    throw new VfsException(Errno.NOENT, name);
  }

  private static <T> T no() throws VfsException { throw new VfsException(Errno.NOTSUPP, "not in the fake"); }

  @Override public Attr setattr(Fh fh, SetAttr s, Subject who) throws VfsException { return no(); }
  @Override public int access(Fh fh, int mask, Subject who) throws VfsException { return no(); }
  @Override public String readlink(Fh fh, Subject who) throws VfsException { return no(); }
  @Override public ReadResult read(Fh fh, long offset, int count, Subject who) throws VfsException { return no(); }
  @Override public WriteResult write(Fh fh, long offset, ByteBuffer data, Stability stable, Subject who) throws VfsException { return no(); }
  @Override public void commit(Fh fh, long offset, long count) throws VfsException { no(); }
  @Override public long writeVerifier() { return 1; }
  @Override public Fh create(Fh dir, String name, SetAttr attrs, boolean guarded, byte[] exclusive, Subject who) throws VfsException { return no(); }
  @Override public Fh mkdir(Fh dir, String name, SetAttr attrs, Subject who) throws VfsException { return no(); }
  @Override public Fh symlink(Fh dir, String name, String target, SetAttr attrs, Subject who) throws VfsException { return no(); }
  @Override public Fh mknod(Fh dir, String name, FileType type, int major, int minor, SetAttr attrs, Subject who) throws VfsException { return no(); }
  @Override public void remove(Fh dir, String name, Subject who) throws VfsException { no(); }
  @Override public void rmdir(Fh dir, String name, Subject who) throws VfsException { no(); }
  @Override public void rename(Fh fromDir, String fromName, Fh toDir, String toName, Subject who) throws VfsException { no(); }
  @Override public void link(Fh file, Fh dir, String name, Subject who) throws VfsException { no(); }
  @Override public DirList list(Fh dir, long cookie, long verifier, int maxEntries, Subject who) throws VfsException { return no(); }
  @Override public FsStat fsstat(Fh fh) throws VfsException { return no(); }
}
