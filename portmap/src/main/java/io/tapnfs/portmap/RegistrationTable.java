package io.tapnfs.portmap;

import java.util.ArrayList;
import java.util.List;

/**
 * The rpcbind table, bounded, in registration order (the order DUMP lists it, like Linux
 * rpcbind's {@code list_rbl}).
 *
 * <p>Concurrency: copy-on-write. Writers ({@link #put}, {@link #remove}) hold {@code this}'s
 * monitor, build a new immutable list and publish it through a volatile field; readers take one
 * volatile read and work on that snapshot without locking, so a lookup never sees a half-applied
 * change and never blocks a registration. Writes are rare (server start/stop), reads are per call.
 */
final class RegistrationTable {
  enum Put { ADDED, REPLACED, FULL }

  private final int capacity;
  private volatile List<Registration> entries = List.of();

  RegistrationTable(int capacity) {
    this.capacity = capacity;
  }

  /** All entries, in order; immutable. */
  List<Registration> snapshot() {
    return entries;
  }

  /**
   * Adds {@code r}, or replaces (in place) the entry with the same (program, version, netid):
   * the last registration wins. {@link Put#FULL} when a new key would exceed the capacity.
   */
  synchronized Put put(Registration r) {
    List<Registration> next = new ArrayList<>(entries);
    for (int i = 0; i < next.size(); i++) {
      if (next.get(i).sameKey(r.program(), r.version(), r.netid())) {
        next.set(i, r);
        entries = List.copyOf(next);
        return Put.REPLACED;
      }
    }
    if (next.size() >= capacity) return Put.FULL;
    next.add(r);
    entries = List.copyOf(next);
    return Put.ADDED;
  }

  /** Removes the entry for (program, version, netid); whether there was one. */
  synchronized boolean remove(int program, int version, Netid netid) {
    List<Registration> next = new ArrayList<>(entries);
    boolean removed = next.removeIf(e -> e.sameKey(program, version, netid));
    if (removed) entries = List.copyOf(next);
    return removed;
  }

  /**
   * The entry for {@code program} on {@code netid} ({@code null}: any netid) as Linux rpcbind's
   * {@code find_service} picks it: the one with {@code version} if registered; otherwise, unless
   * {@code exactVersion}, the last-registered entry of another version of the program. A client
   * given another version's address learns the supported range from the server's PROG_MISMATCH
   * (RFC 5531 §9); RFC 1833 §2.1 keeps "the address is not returned" for GETVERSADDR only.
   */
  static Registration find(List<Registration> table, int program, int version, Netid netid,
      boolean exactVersion) {
    Registration hit = null;
    for (Registration e : table) {
      if (e.program() != program || (netid != null && e.netid() != netid)) continue;
      hit = e;
      if (e.version() == version) return e;
    }
    return exactVersion ? null : hit;
  }

  /** Every entry of exactly (program, version), any netid, in order (GETADDRLIST). */
  static List<Registration> all(List<Registration> table, int program, int version) {
    List<Registration> out = new ArrayList<>();
    for (Registration e : table) {
      if (e.program() == program && e.version() == version) out.add(e);
    }
    return out;
  }
}
