package io.tapnfs.rpc;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Thread-safe counters by {@link RpcStat}: worker threads, selector threads and readers share them. */
final class RpcCounters {
  private final AtomicLongArray values = new AtomicLongArray(RpcStat.values().length);

  void inc(RpcStat s) { values.incrementAndGet(s.ordinal()); }

  long get(RpcStat s) { return values.get(s.ordinal()); }

  /** A snapshot, lowerCamel names like the stack's counters ("recordTooLarge"). */
  Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (RpcStat s : RpcStat.values()) m.put(camel(s.name()), get(s));
    return m;
  }

  static String camel(String enumName) {
    return io.tapnfs.netstack.Counters.camel(enumName);
  }

  EnumMap<RpcStat, Long> asEnumMap() {
    EnumMap<RpcStat, Long> m = new EnumMap<>(RpcStat.class);
    for (RpcStat s : RpcStat.values()) m.put(s, get(s));
    return m;
  }
}
