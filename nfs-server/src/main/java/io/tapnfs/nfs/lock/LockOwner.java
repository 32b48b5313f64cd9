package io.tapnfs.nfs.lock;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Who holds a lock: the client (a host for NLM, the client id for NFSv4) and the owner the
 * protocol names inside it (NLM: the {@code oh} opaque and the {@code svid}; NFSv4: the lock
 * owner). Two owners of the same client conflict like any two owners; {@link LockManager#releaseClient}
 * drops everything of one client.
 */
public record LockOwner(String client, byte[] owner) {
  public LockOwner {
    owner = owner.clone();
  }

  @Override public byte[] owner() { return owner.clone(); }

  @Override public boolean equals(Object o) { return o instanceof LockOwner l && l.client.equals(client) && Arrays.equals(l.owner, owner); }

  @Override public int hashCode() { return client.hashCode() * 31 + Arrays.hashCode(owner); }

  @Override public String toString() { return client + "/" + HexFormat.of().formatHex(owner); }
}
