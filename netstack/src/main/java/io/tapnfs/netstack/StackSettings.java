package io.tapnfs.netstack;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The current value of every {@link Sysctl}. Written by the event loop (or before it starts),
 * read by protocol code on the loop; values are volatile-free longs, so a change made through
 * {@link Stack#set} takes effect on the loop's next use.
 */
public final class StackSettings {
  private final long[] values = new long[Sysctl.values().length];

  public StackSettings() {
    for (Sysctl s : Sysctl.values()) values[s.ordinal()] = s.defaultValue();
  }

  public long get(Sysctl s) { return values[s.ordinal()]; }

  public boolean on(Sysctl s) { return values[s.ordinal()] != 0; }

  public StackSettings set(Sysctl s, long v) {
    if (v < s.min() || v > s.max())
      throw new IllegalArgumentException(s.key() + " must be between " + s.min() + " and " + s.max() + ", got " + v);
    values[s.ordinal()] = v;
    return this;
  }

  /** Parses {@code name=value}. */
  public StackSettings set(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq < 0) throw new IllegalArgumentException("expected name=value, got '" + assignment + "'");
    Sysctl s = Sysctl.byKey(assignment.substring(0, eq).trim());
    String v = assignment.substring(eq + 1).trim();
    try {
      return set(s, Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(s.key() + " takes a whole number, got '" + v + "'");
    }
  }

  public StackSettings copy() {
    StackSettings c = new StackSettings();
    System.arraycopy(values, 0, c.values, 0, values.length);
    return c;
  }

  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Sysctl s : Sysctl.values()) m.put(s.key(), values[s.ordinal()]);
    return m;
  }
}
