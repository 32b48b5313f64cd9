package io.tapnfs.netstack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fixed set of monotonically increasing counters keyed by an enum. Written only by the stack's
 * event-loop thread; other threads read a {@link #snapshot()} (reads are of single longs, so a
 * reader may see a slightly old value, never a torn one).
 */
public final class Counters<E extends Enum<E>> {
  private final E[] keys;
  private final long[] values;

  public Counters(Class<E> type) {
    this.keys = type.getEnumConstants();
    this.values = new long[keys.length];
  }

  public void inc(E key) { values[key.ordinal()]++; }

  public void add(E key, long n) { values[key.ordinal()] += n; }

  public long get(E key) { return values[key.ordinal()]; }

  /** Counter names in camelCase (MIB style), in declaration order. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (E k : keys) m.put(camel(k.name()), values[k.ordinal()]);
    return m;
  }

  /** {@code IN_HDR_ERRORS} to {@code inHdrErrors}. */
  public static String camel(String upperSnake) {
    StringBuilder sb = new StringBuilder(upperSnake.length());
    boolean up = false;
    for (char c : upperSnake.toCharArray()) {
      if (c == '_') { up = true; continue; }
      sb.append(up ? Character.toUpperCase(c) : Character.toLowerCase(c));
      up = false;
    }
    return sb.toString();
  }
}
