package io.tapnfs.nfs.mount;

import io.tapnfs.nfs.vfs.ClientAccess;
import java.util.Objects;

/**
 * One {@code client(options)} of an exports(5) line: who, and how they may use the export
 * ({@link ClientAccess}), plus the options that are the backend's rather than the access policy's.
 *
 * @param sync exports(5) {@code sync} (the default) or {@code async}
 * @param fsid exports(5) {@code fsid=N} (an unsigned 32-bit number), or null when not given
 */
public record ClientRule(ClientMatch match, ClientAccess access, boolean sync, Integer fsid) {
  public ClientRule {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(access, "access");
  }

  /** {@code sync}, no fsid. */
  public ClientRule(ClientMatch match, ClientAccess access) { this(match, access, true, null); }

  @Override public String toString() {
    return match + "(" + ExportsFile.options(access) + (sync ? ",sync" : ",async")
        + (fsid == null ? "" : ",fsid=" + Integer.toUnsignedString(fsid)) + ")";
  }
}
