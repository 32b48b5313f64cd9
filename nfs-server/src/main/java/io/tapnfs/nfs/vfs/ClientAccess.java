package io.tapnfs.nfs.vfs;

import java.util.Objects;

/**
 * How an export treats one client: the exports(5) options of the entry that matched it. What they
 * mean for a call is {@link AccessPolicy}'s.
 *
 * @param anonUid the uid squashed callers get; never -1 (knfsd refuses such an export: "!uid_valid(ex_anon_uid)")
 * @param anonGid likewise the gid
 * @param secure  exports(5) {@code secure}: calls from source ports 1024 and up are refused
 */
public record ClientAccess(boolean readWrite, Squash squash, int anonUid, int anonGid, boolean secure) {
  public enum Squash { NONE, ROOT, ALL }

  /** Defaults of exports(5): read-only, root_squash, anonuid/anongid 65534 (nobody), secure. */
  public static final ClientAccess DEFAULT = new ClientAccess(false, Squash.ROOT, 65534, 65534, true);

  public ClientAccess {
    Objects.requireNonNull(squash, "squash");
    if (anonUid == AccessPolicy.NO_ID || anonGid == AccessPolicy.NO_ID)
      throw new IllegalArgumentException("anonuid and anongid cannot be 4294967295 ((uid_t) -1)");
  }
}
