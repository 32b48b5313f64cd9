package io.tapnfs.nfs.vfs;

/**
 * Who asks, after the export's squashing (AUTH_SYS uid, gid and supplementary gids, RFC 5531
 * Appendix A). uid 0 is root, to whom permission checks do not apply (but read-only exports do).
 * {@code squashed}: the uid is the export's anonymous one because the caller's was squashed,
 * invalid or missing ({@link AccessPolicy#subject}); such a caller gets no set-id bits
 * ({@link AccessPolicy#mode}).
 */
public record Subject(int uid, int gid, int[] gids, boolean squashed) {
  public static final Subject ROOT = new Subject(0, 0, new int[0]);

  public Subject(int uid, int gid, int[] gids) { this(uid, gid, gids, false); }

  public boolean isRoot() { return uid == 0; }

  public boolean inGroup(int g) {
    if (g == gid) return true;
    for (int x : gids) if (x == g) return true;
    return false;
  }
}
