package io.tapnfs.nfs.mount;

import io.tapnfs.nfs.mount.MountXdr.MountBody;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Who has mounted what, for DUMP (RFC 1813 Appendix I: "the list of remotely mounted file
 * systems"): distinct (client, path) pairs, oldest first, in memory only (knfsd keeps
 * /var/lib/nfs/rmtab; a restart here forgets, which only DUMP/showmount -a can see). Bounded:
 * past {@code max} pairs the oldest is dropped and counted by the caller. A repeated MNT moves
 * its pair to the newest end. Thread-safe (one lock, held only for the list operation).
 */
final class MountList {
  private final int max;
  private final LinkedHashSet<MountBody> entries = new LinkedHashSet<>();

  MountList(int max) {
    if (max < 1) throw new IllegalArgumentException("mount list cap " + max);
    this.max = max;
  }

  /** Records a mount; returns how many old entries were dropped to make room (0 or 1). */
  synchronized int add(MountBody m) {
    entries.remove(m);
    entries.add(m);
    int dropped = 0;
    for (Iterator<MountBody> it = entries.iterator(); entries.size() > max; dropped++) {
      it.next();
      it.remove();
    }
    return dropped;
  }

  synchronized boolean remove(MountBody m) { return entries.remove(m); }

  /** Removes every entry of {@code host}; returns how many. */
  synchronized int removeHost(String host) {
    int n = 0;
    for (Iterator<MountBody> it = entries.iterator(); it.hasNext(); ) {
      if (it.next().hostname().equals(host)) {
        it.remove();
        n++;
      }
    }
    return n;
  }

  synchronized List<MountBody> snapshot() { return List.copyOf(new ArrayList<>(entries)); }
}
