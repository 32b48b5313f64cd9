package io.tapnfs.nfs.vfs;

import java.io.IOException;

/**
 * Running a client's file system calls with the client's own identity, as knfsd's
 * {@code nfsd_setuser} does: the calling thread's fsuid, fsgid and supplementary groups become
 * the (already squashed) {@link Subject}'s for the duration of a {@link Scope}, so the kernel
 * checks mode bits, POSIX ACLs, sticky directories and {@code protected_hardlinks}, makes new
 * files owned by the caller, and clears set-id bits on write, truncate and chown exactly as for a
 * local user.
 *
 * <p>Per thread, not per process: {@code setfsuid(2)}, {@code setfsgid(2)} and the raw
 * {@code setgroups} system call change only the calling thread (glibc's {@code setgroups}
 * changes every thread). When the fsuid goes from 0 to another id the kernel drops
 * CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_MKNOD and
 * CAP_LINUX_IMMUTABLE from the thread's effective set and restores them when it goes back
 * (capabilities(7)): root's privileges never stand in for a client's, and a non-root caller's
 * write loses CAP_FSETID like knfsd's. A client that is root after squashing (no_root_squash)
 * keeps them, as with knfsd.
 *
 * <p>Each thread that acts for clients first gets a file-system context of its own
 * ({@code unshare(CLONE_FS)}) with umask 0, as knfsd's threads have: the mode a client asks for
 * is the mode it gets (the client applies its own umask). Where unshare is refused (Docker's
 * seccomp profile) {@link #threadUmask} says so and the creator restores the bits.
 *
 * <p>Requires CAP_SETUID and CAP_SETGID (the server runs as root): {@link #check} says so at start.
 */
@SuppressWarnings("try")   // credential and handle scopes are held for their effect, not read
final class Creds {
  /** The server's own supplementary groups, restored after each scope. */
  private static final int[] SERVER_GROUPS = serverGroups();
  private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();
  /** The supplementary groups this thread has now (setgroups costs a credential copy; skipped when unchanged). */
  private static final ThreadLocal<int[]> THREAD_GROUPS = ThreadLocal.withInitial(() -> SERVER_GROUPS.clone());
  /** Ids the kernel took once in this process (so it maps them): not read back again. Bounded. */
  private static final java.util.Set<Integer> VERIFIED_UIDS = java.util.concurrent.ConcurrentHashMap.newKeySet(),
      VERIFIED_GIDS = java.util.concurrent.ConcurrentHashMap.newKeySet();
  static final int MAX_VERIFIED = 65_536;

  private static void remember(java.util.Set<Integer> set, int id) {
    if (set.size() >= MAX_VERIFIED) set.clear();
    set.add(id);
  }

  private Creds() {}

  /** Fails with a one-line reason if this process cannot take a client's identity per thread. */
  static void check() throws IOException {
    if (Sys.geteuid() != 0) throw new IOException("the file-system core needs root (CAP_SETUID, CAP_SETGID, CAP_DAC_READ_SEARCH)");
    try (Scope s = as(new Subject(65534, 65534, new int[] {65534}))) {
      int fsuid = Sys.setfsuid(-1), fsgid = Sys.setfsgid(-1);
      if (fsuid != 65534 || fsgid != 65534) throw new IOException("setfsuid/setfsgid had no effect (fsuid " + fsuid + ", fsgid " + fsgid + "): CAP_SETUID/CAP_SETGID missing?");
    }
    if (Sys.setfsuid(-1) != 0) throw new IOException("could not return to fsuid 0 after acting for a client");
  }

  /**
   * Acts as {@code who} on this thread until the scope is closed; scopes nest (an inner
   * {@link #asServer} returns to the server's identity for calls only root may make).
   */
  static Scope as(Subject who) throws VfsException {
    if (who.uid() == AccessPolicy.NO_ID || who.gid() == AccessPolicy.NO_ID)   // setfsuid(-1) only reads: the thread would stay root
      throw new VfsException(Errno.PERM, "no identity (uid " + who.uid() + ", gid " + who.gid() + "): squashing should have mapped it");
    try {
      return enter(who.uid(), who.gid(), who.gids());
    } catch (IllegalStateException e) {
      throw new VfsException(Errno.PERM, e.getMessage());
    }
  }

  /** Acts as the server itself (fsuid 0) until closed: for open_by_handle_at and the server's own bookkeeping. */
  static Scope asServer() { return CURRENT.get() == null ? NONE : enter(0, 0, null); }

  /** The scope of a thread that already is the server: nothing to switch. */
  private static final Scope NONE = new Scope(null, 0, 0, new int[0]) {
    @Override public void close() { }
  };

  private static Scope enter(int uid, int gid, int[] gids) {
    prepare();
    Scope outer = CURRENT.get();
    Scope s = new Scope(outer, uid, gid, gids);
    s.apply();
    CURRENT.set(s);
    return s;
  }

  private static void prepare() {
    if (UMASK.get() != null) return;                      // prepared already
    // Docker's default seccomp profile refuses unshare(2): such threads keep the process umask
    // and KernelVfs restores the bits it took after a create (threadUmask)
    if (Sys.unshare(Sys.CLONE_FS) == 0) {
      Sys.umask(0);
      UMASK.set(0);
    } else {
      UMASK.set(PROCESS_UMASK);
    }
  }

  /** The process umask, read once (umask(2) can only be read by setting it). */
  private static final int PROCESS_UMASK = readUmask();
  /** This thread's umask for creates once prepared (null before): 0 with a file-system context of its own, else the process's. */
  private static final ThreadLocal<Integer> UMASK = new ThreadLocal<>();

  private static synchronized int readUmask() {
    int old = Sys.umask(022);
    Sys.umask(old);
    return old;
  }

  /** The umask of this thread's creates: 0 once it has a file-system context of its own, else the process's. */
  static int threadUmask() {
    prepare();
    return UMASK.get();
  }

  private static int[] serverGroups() {
    int n = Sys.getgroups(0, null);
    if (n <= 0) return new int[0];
    int[] g = new int[n];
    n = Sys.getgroups(n, g);
    return n < 0 ? new int[0] : java.util.Arrays.copyOf(g, n);
  }

  /** One identity on one thread; closing it returns to the identity before it. Not shared between threads. */
  static class Scope implements AutoCloseable {
    private final Scope outer;
    private final int uid, gid;
    private final int[] gids;
    private final Thread owner = Thread.currentThread();   // unused by NONE
    private boolean closed;

    private Scope(Scope outer, int uid, int gid, int[] gids) {
      this.outer = outer;
      this.uid = uid;
      this.gid = gid;
      this.gids = gids;
    }

    /**
     * Takes this scope's identity, or leaves the thread as the server and throws. setfsuid and
     * setfsgid report no error: an id the kernel refuses (one this user namespace cannot map)
     * leaves the old one in place, so each id is read back (setfsuid(-1) changes nothing and
     * returns the current) the first time this process takes it; later it is known to work.
     * The supplementary groups are set only when they differ from what this thread has.
     */
    private void apply() {
      // groups and gid first: while the fsuid is still 0 nothing is checked against them
      if (gids != null && !java.util.Arrays.equals(THREAD_GROUPS.get(), gids)) {
        if (Sys.setgroupsThisThread(gids) != 0) {
          int e = Sys.errno();
          restoreServer();
          throw new IllegalStateException("setgroups: " + Sys.errName(e));
        }
        THREAD_GROUPS.set(gids.clone());
      }
      Sys.setfsgid(gid);
      Sys.setfsuid(uid);
      if (!VERIFIED_UIDS.contains(uid) || !VERIFIED_GIDS.contains(gid)) {
        if (Sys.setfsuid(-1) != uid || Sys.setfsgid(-1) != gid) {
          restoreServer();
          throw new IllegalStateException("the kernel would not take fsuid " + Integer.toUnsignedString(uid) + " fsgid "
              + Integer.toUnsignedString(gid) + " (an id this user namespace cannot map?)");
        }
        remember(VERIFIED_UIDS, uid);
        remember(VERIFIED_GIDS, gid);
      }
    }

    /**
     * Back to the server: fsuid and fsgid 0 (the capabilities return with the fsuid). The
     * supplementary groups stay as the last client's until the next client needs others: root's
     * checks do not look at them, and files the server makes take the fsgid, not the groups.
     */
    private static void restoreServer() {
      Sys.setfsuid(0);
      Sys.setfsgid(0);
    }

    @Override public void close() {
      if (closed) return;
      if (Thread.currentThread() != owner) throw new IllegalStateException("credential scope closed on another thread");
      closed = true;
      CURRENT.set(outer);
      if (outer != null) {
        outer.apply();                                     // back to the outer identity (it was taken once already)
      } else {
        restoreServer();
      }
    }
  }
}
