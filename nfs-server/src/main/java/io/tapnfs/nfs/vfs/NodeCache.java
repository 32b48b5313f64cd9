package io.tapnfs.nfs.vfs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Open descriptors of the files clients use, by handle, least recently used first: the
 * {@code O_PATH} descriptor a handle resolves to ({@code open_by_handle_at}, never a path), and
 * lazily a data descriptor for READ/WRITE/COMMIT (regular files) or for fsync (directories).
 * So a handle is resolved by the kernel once, not on every call.
 *
 * <p>Bounded by {@code maxNodes}; reference-counted: a node evicted (or forgotten after its
 * last name went) while calls still use it leaves the map at once but keeps its descriptors
 * until the last of those calls releases it, so eviction never closes a descriptor in use.
 * Nodes in use beyond the bound are bounded by the number of worker threads.
 *
 * <p>A descriptor keeps its inode alive: a file removed by a client is forgotten at once
 * ({@link #forgetInode}) so its space is freed, and one removed behind the server's back is
 * found out by its link count (0) at the next call and forgotten then.
 *
 * <p>Concurrency: the map and reference counts under this object's lock; a node's data
 * descriptor under the node's lock. Thread-safe.
 */
@SuppressWarnings("try")   // credential and handle scopes are held for their effect, not read
final class NodeCache {
  /** A file as this server holds it open. */
  static final class Node implements AutoCloseable {
    final Fh fh;
    /** {@code struct file_handle} bytes for open_by_handle_at. */
    final byte[] kernel;
    final int pathFd;
    private final NodeCache owner;
    private int refs = 1;              // under owner's lock
    private boolean cached;            // under owner's lock
    private long ino = -1;             // under owner's lock
    private int dataFd = -1;           // under this
    private int dataErrno;             // why dataFd is read-only, under this

    private Node(NodeCache owner, Fh fh, byte[] kernel, int pathFd) {
      this.owner = owner;
      this.fh = fh;
      this.kernel = kernel;
      this.pathFd = pathFd;
    }

    /**
     * The data descriptor (regular files: O_RDWR, or O_RDONLY where the file or file system
     * refuses writing; directories: O_RDONLY for fsync), opened by handle as the server: the
     * caller's permission is checked per call, as knfsd checks it before using its shared
     * nfsd_file. Never called for FIFOs, sockets or devices.
     */
    synchronized int dataFd(boolean dir, boolean readOnly) throws VfsException {
      if (dataFd >= 0) return dataFd;
      int flags = Sys.O_CLOEXEC | Sys.O_NONBLOCK | (dir ? Sys.O_RDONLY | Sys.O_DIRECTORY : readOnly ? Sys.O_RDONLY : Sys.O_RDWR);
      try (Creds.Scope s = Creds.asServer()) {
        int fd = Sys.open_by_handle_at(owner.mountFd, kernel, flags);
        if (fd < 0 && !dir && !readOnly) {
          int e = Sys.errno();
          if (e == Sys.EROFS || e == Sys.EPERM || e == Sys.EACCES || e == Sys.ETXTBSY) {
            dataErrno = e;                                    // a read-only file system or an immutable file: reads still work
            fd = Sys.open_by_handle_at(owner.mountFd, kernel, Sys.O_CLOEXEC | Sys.O_NONBLOCK | Sys.O_RDONLY);
          }
        }
        if (fd < 0) throw Sys.fail("open by handle");
        dataFd = fd;
        return fd;
      }
    }

    /** Why the data descriptor could not be opened for writing (an errno), or 0. */
    synchronized int readOnlyErrno() { return dataErrno; }

    @Override public void close() { owner.release(this); }

    private synchronized void closeFds() {
      if (dataFd >= 0) Sys.close(dataFd);
      dataFd = -1;
      Sys.close(pathFd);
    }
  }

  private final int mountFd;
  private final int maxNodes;
  private final LinkedHashMap<Fh, Node> byHandle = new LinkedHashMap<>(256, 0.75f, true);
  private final Map<Long, Node> byInode = new HashMap<>();
  private long hits, misses, evictions;

  NodeCache(int mountFd, int maxNodes) {
    if (maxNodes < 1) throw new IllegalArgumentException("open-file cache of " + maxNodes);
    this.mountFd = mountFd;
    this.maxNodes = maxNodes;
  }

  /** The node of {@code fh} (its kernel handle {@code kernel}), referenced: close it after use. */
  Node acquire(Fh fh, byte[] kernel) throws VfsException {
    synchronized (this) {
      Node n = byHandle.get(fh);
      if (n != null) {
        n.refs++;
        hits++;
        return n;
      }
      misses++;
    }
    int fd;
    try (Creds.Scope s = Creds.asServer()) {
      fd = Sys.open_by_handle_at(mountFd, kernel, Sys.O_PATH | Sys.O_CLOEXEC);
    }
    if (fd < 0) {
      int e = Sys.errno();
      // ESTALE: deleted (or the generation moved on); ENOENT/EINVAL: nothing of this file system
      throw new VfsException(e == Sys.ENOMEM || e == Sys.EMFILE || e == Sys.ENFILE ? Errno.JUKEBOX : Errno.STALE,
          "open_by_handle_at: " + Sys.errName(e));
    }
    return insert(new Node(this, fh, kernel, fd));
  }

  /** Caches a node whose O_PATH descriptor the caller just opened (a LOOKUP or a create); referenced. */
  Node adopt(Fh fh, byte[] kernel, int pathFd) { return insert(new Node(this, fh, kernel, pathFd)); }

  private Node insert(Node fresh) {
    List<Node> closing = new ArrayList<>(1);
    Node out;
    synchronized (this) {
      Node had = byHandle.get(fresh.fh);
      if (had != null) {                          // another thread got there first: use theirs
        had.refs++;
        closing.add(fresh);
        out = had;
      } else {
        fresh.cached = true;
        fresh.refs = 2;                           // the cache's and the caller's
        byHandle.put(fresh.fh, fresh);
        out = fresh;
        Iterator<Node> it = byHandle.values().iterator();
        while (byHandle.size() > maxNodes && it.hasNext()) {
          Node old = it.next();
          it.remove();
          evictions++;
          if (old.ino >= 0) byInode.remove(old.ino, old);
          old.cached = false;
          if (--old.refs == 0) closing.add(old);
        }
      }
    }
    for (Node n : closing) n.closeFds();
    return out;
  }

  /** Records the inode number of a node (after its first stat), for {@link #forgetInode}. */
  synchronized void noteInode(Node n, long ino) {
    if (n.ino == ino || !n.cached) return;
    n.ino = ino;
    byInode.put(ino, n);
  }

  /** Drops the cached node of {@code ino} (its last name is gone), closing it once unused. */
  void forgetInode(long ino) {
    Node n;
    synchronized (this) {
      n = byInode.remove(ino);
      if (n == null || !n.cached) return;
      byHandle.remove(n.fh, n);
      n.cached = false;
      if (--n.refs != 0) return;
    }
    n.closeFds();
  }

  /** Drops a node found stale (its link count is 0). */
  void forget(Node n) {
    synchronized (this) {
      if (!n.cached) return;
      byHandle.remove(n.fh, n);
      if (n.ino >= 0) byInode.remove(n.ino, n);
      n.cached = false;
      if (--n.refs != 0) return;
    }
    n.closeFds();
  }

  private void release(Node n) {
    synchronized (this) {
      if (--n.refs != 0) return;
    }
    n.closeFds();
  }

  synchronized int size() { return byHandle.size(); }

  synchronized Map<String, Long> counters() {
    Map<String, Long> m = new java.util.LinkedHashMap<>();
    m.put("openFiles", (long) byHandle.size());
    m.put("openFileHits", hits);
    m.put("openFileMisses", misses);
    m.put("openFileEvictions", evictions);
    return m;
  }

  /** Closes every cached node not in use (at shutdown). */
  void clear() {
    List<Node> closing = new ArrayList<>();
    synchronized (this) {
      for (Node n : byHandle.values()) {
        n.cached = false;
        if (--n.refs == 0) closing.add(n);
      }
      byHandle.clear();
      byInode.clear();
    }
    for (Node n : closing) n.closeFds();
  }
}
