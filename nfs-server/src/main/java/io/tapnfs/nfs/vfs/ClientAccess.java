package io.tapnfs.nfs.vfs;

/**
 * How an export treats one client: the exports(5) options of the entry that matched it.
 * {@link #subject} applies the squashing to an AUTH_SYS identity (AUTH_NONE callers are treated
 * as the anonymous uid/gid).
 */
public record ClientAccess(boolean readWrite, Squash squash, int anonUid, int anonGid) {
  public enum Squash { NONE, ROOT, ALL }

  /** Defaults of exports(5): read-only, root_squash, anonuid/anongid 65534 (nobody). */
  public static final ClientAccess DEFAULT = new ClientAccess(false, Squash.ROOT, 65534, 65534);

  public Subject subject(int uid, int gid, int[] gids) {
    return switch (squash) {
      case ALL -> new Subject(anonUid, anonGid, new int[0]);
      case ROOT -> uid == 0 ? new Subject(anonUid, anonGid, new int[0]) : new Subject(uid, gid == 0 ? anonGid : gid, gids);
      case NONE -> new Subject(uid, gid, gids);
    };
  }

  /** The subject of a caller without credentials (AUTH_NONE). */
  public Subject anonymous() { return new Subject(anonUid, anonGid, new int[0]); }
}
