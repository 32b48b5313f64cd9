package io.tapnfs.netstack.ipv4;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's routing table: longest-prefix match (RFC 1812 §5.2.4.3), then the lowest metric,
 * then the route added first.
 *
 * <p>{@link #add} replaces a route with the same destination and kind, in place (it keeps the old
 * one's rank among equal metrics), like {@code ip route replace}: a second ICMP redirect for a
 * host moves its /32 route instead of stacking another, and a reconfigured gateway replaces the
 * default route.
 *
 * <p>One hash map per prefix length, keyed by the masked network; a look-up probes only the
 * lengths in use, longest first. Not thread-safe: event-loop thread only.
 */
public final class RouteTable {
  private static final Comparator<Entry> PREFERENCE =
      Comparator.<Entry>comparingInt(e -> e.route.metric()).thenComparingLong(e -> e.order);
  private static final Comparator<Entry> LISTING =
      Comparator.<Entry>comparingInt(e -> -e.route.destination().prefixLength())
          .thenComparing(e -> e.route.destination().address())
          .thenComparing(PREFERENCE);

  private static final class Entry {
    Route route;
    final long order;

    Entry(Route route, long order) {
      this.route = route;
      this.order = order;
    }
  }

  /** byLength[p]: network bits to its routes, best first; never holds an empty list. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private final Map<Integer, List<Entry>>[] byLength = new Map[33];
  /** Bit p set when byLength[p] is not empty. */
  private long lengthsInUse;
  private long nextOrder;
  private int size;

  public RouteTable() {
    for (int p = 0; p <= 32; p++) byLength[p] = new HashMap<>();
  }

  /**
   * Adds a route, replacing one with the same destination and kind.
   * @return the route it replaced
   */
  public Optional<Route> add(Route route) {
    Ipv4Cidr d = route.destination();
    List<Entry> list = byLength[d.prefixLength()].computeIfAbsent(d.address().bits(), k -> new ArrayList<>(1));
    lengthsInUse |= 1L << d.prefixLength();
    Optional<Route> replaced = Optional.empty();
    Entry same = null;
    for (Entry e : list) if (e.route.kind() == route.kind()) same = e;
    if (same != null) {
      replaced = Optional.of(same.route);
      same.route = route;
    } else {
      list.add(new Entry(route, nextOrder++));
      size++;
    }
    list.sort(PREFERENCE);
    return replaced;
  }

  /** Removes exactly this route. */
  public boolean remove(Route route) {
    return remove(route.destination(), route.kind(), route).isPresent();
  }

  /** Removes the route of this kind to this destination (normalised to its network). */
  public Optional<Route> remove(Ipv4Cidr destination, Route.Kind kind) {
    return remove(destination, kind, null);
  }

  private Optional<Route> remove(Ipv4Cidr destination, Route.Kind kind, Route exactly) {
    int p = destination.prefixLength();
    int net = destination.network().bits();
    List<Entry> list = byLength[p].get(net);
    if (list == null) return Optional.empty();
    for (int i = 0; i < list.size(); i++) {
      Route r = list.get(i).route;
      if (r.kind() != kind || (exactly != null && !r.equals(exactly))) continue;
      list.remove(i);
      size--;
      if (list.isEmpty()) {
        byLength[p].remove(net);
        if (byLength[p].isEmpty()) lengthsInUse &= ~(1L << p);
      }
      return Optional.of(r);
    }
    return Optional.empty();
  }

  /** The best route to {@code dst}, or empty when none covers it (RFC 1122 §3.3.1.1). */
  public Optional<Route> lookup(Ipv4Address dst) {
    for (long m = lengthsInUse; m != 0; ) {
      int p = 63 - Long.numberOfLeadingZeros(m);
      m &= ~(1L << p);
      List<Entry> list = byLength[p].get(dst.bits() & mask(p));
      if (list != null) return Optional.of(list.get(0).route);
    }
    return Optional.empty();
  }

  /** All routes, longest prefix first, then by network, metric, age: a copy. */
  public List<Route> routes() {
    List<Entry> all = new ArrayList<>(size);
    for (Map<Integer, List<Entry>> m : byLength) for (List<Entry> l : m.values()) all.addAll(l);
    all.sort(LISTING);
    List<Route> out = new ArrayList<>(all.size());
    for (Entry e : all) out.add(e.route);
    return List.copyOf(out);
  }

  public int size() { return size; }

  private static int mask(int prefixLength) { return prefixLength == 0 ? 0 : -1 << (32 - prefixLength); }
}
