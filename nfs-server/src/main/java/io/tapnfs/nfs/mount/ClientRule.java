package io.tapnfs.nfs.mount;

import io.tapnfs.nfs.vfs.ClientAccess;
import java.util.Objects;

/** One {@code client(options)} of an exports(5) line: who, and how they may use the export. */
public record ClientRule(ClientMatch match, ClientAccess access) {
  public ClientRule {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(access, "access");
  }

  @Override public String toString() { return match + "(" + ExportsFile.options(access) + ")"; }
}
