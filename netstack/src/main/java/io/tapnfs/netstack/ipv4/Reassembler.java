package io.tapnfs.netstack.ipv4;

import io.tapnfs.netstack.Counters;
import io.tapnfs.netstack.DropCounter;
import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * IPv4 fragment reassembly (RFC 791 §3.2 "reassembly", RFC 1122 §3.3.2), bounded in time, memory
 * and datagram count.
 *
 * <p>A datagram is keyed by (source, destination, protocol, identification). Its fragments sit in
 * a map sorted by offset and never overlap, so one floor and one higher look-up find any overlap
 * (O(log n)). Instead of RFC 815's hole list we count bytes held: with no overlaps and nothing
 * beyond the known end, "no holes" is "bytes held == total length".
 *
 * <p>Overlaps: RFC 791 lets later data win; we follow RFC 5722 (written for IPv6) instead, as
 * overlapping fragments are an evasion and resource attack: the whole datagram is discarded and
 * its key remembered as poisoned until its timeout, so its remaining fragments are dropped too.
 * Exact duplicates (same offset, length and bytes) are ignored, since links duplicate packets.
 *
 * <p>Time is given, never read: {@code now} is monotonic nanoseconds and never goes backwards
 * between calls (datagrams are kept in arrival order, which is then deadline order).
 *
 * <p>Not thread-safe: event-loop thread only.
 */
public final class Reassembler {
  /** Bookkeeping charged per held fragment on top of its bytes (map entry, array header, quote). */
  public static final int FRAGMENT_OVERHEAD = 64;
  /** RFC 791 §3.1: total length is 16 bits; less the minimum header, the most a payload can be. */
  public static final int MAX_PAYLOAD = 65_535 - Ipv4Header.MIN_LEN;

  /**
   * A datagram that timed out.
   *
   * @param headerAndFirst8 the IP header and first 8 payload bytes of fragment zero, for ICMP
   *     Time Exceeded code 1; null when fragment zero never arrived (RFC 1122 §3.2.2.4: then no
   *     error is sent)
   */
  public record Expired(Ipv4Address src, Ipv4Address dst, ByteBuffer headerAndFirst8) {}

  private record Key(Ipv4Address src, Ipv4Address dst, int protocol, int id) {}

  private static final class Datagram {
    final Key key;
    final long deadline;
    final TreeMap<Integer, byte[]> fragments = new TreeMap<>();
    /** Total payload length once the last fragment (MF=0) arrived, else -1. */
    int end = -1;
    /** Highest fragment end seen so far. */
    int maxEnd;
    int held;
    long memory;
    byte[] headerAndFirst8;
    boolean poisoned;

    Datagram(Key key, long deadline) {
      this.key = key;
      this.deadline = deadline;
    }
  }

  private final ReassemblyConfig cfg;
  private final DropCounter drops;
  private final Counters<ReassemblyStat> stats = new Counters<>(ReassemblyStat.class);
  /** In arrival order of each datagram's first fragment: oldest first, and earliest deadline first. */
  private final LinkedHashMap<Key, Datagram> datagrams = new LinkedHashMap<>();
  private long memoryUsed;

  public Reassembler(ReassemblyConfig cfg, DropCounter drops) {
    this.cfg = cfg;
    this.drops = drops;
  }

  public Counters<ReassemblyStat> counters() { return stats; }

  /** Datagrams held, counting those remembered as poisoned. */
  public int pendingDatagrams() { return datagrams.size(); }

  /** Bytes charged against {@link ReassemblyConfig#memoryLimitBytes()}. */
  public long memoryUsed() { return memoryUsed; }

  /** When {@link #expire} next has work, or {@link Long#MAX_VALUE} when nothing is held. */
  public long nextDeadline() {
    return datagrams.isEmpty() ? Long.MAX_VALUE : datagrams.values().iterator().next().deadline;
  }

  /**
   * Takes one fragment.
   *
   * @param offsetBytes the fragment offset in bytes (the header field times 8)
   * @param payload the fragment's data, {@code position()..limit()}; copied, not kept or moved
   * @param headerAndFirst8 the fragment's IP header and first 8 payload bytes; copied when
   *     {@code offsetBytes == 0}, for a later ICMP Time Exceeded; may be null
   * @return the whole payload (a new heap buffer, position 0) when this fragment completes the
   *     datagram; null when more are needed or it was an exact duplicate
   * @throws Malformed when this fragment is rejected; the reason says why
   */
  public ByteBuffer accept(long now, Ipv4Address src, Ipv4Address dst, int protocol, int id, int offsetBytes,
                           boolean moreFragments, ByteBuffer payload, ByteBuffer headerAndFirst8) throws Malformed {
    if (offsetBytes < 0 || (offsetBytes & 7) != 0) throw new IllegalArgumentException("fragment offset " + offsetBytes);
    stats.inc(ReassemblyStat.REASM_REQDS);
    int len = payload.remaining();
    // RFC 791 §3.2: every fragment but the last carries a multiple of 8 octets; an empty one carries nothing.
    if (len == 0 || (moreFragments && (len & 7) != 0)) throw fail(DropReason.IPV4_FRAG_BAD_LENGTH);
    int fragEnd = offsetBytes + len;
    if (fragEnd > MAX_PAYLOAD) throw fail(DropReason.IPV4_FRAG_TOO_LARGE);

    Key key = new Key(src, dst, protocol, id & 0xffff);
    Datagram d = datagrams.get(key);
    if (d != null) {
      if (d.poisoned) throw fail(DropReason.IPV4_FRAG_OVERLAP);
      if (!consistentEnd(d, fragEnd, moreFragments)) throw poison(d);
      Map.Entry<Integer, byte[]> before = d.fragments.floorEntry(offsetBytes);
      if (before != null && before.getKey() + before.getValue().length > offsetBytes) {
        if (before.getKey() == offsetBytes && before.getValue().length == len
            && ByteBuffer.wrap(before.getValue()).equals(payload)) {
          stats.inc(ReassemblyStat.REASM_DUPLICATES);
          return null;
        }
        throw poison(d);
      }
      Integer after = d.fragments.higherKey(offsetBytes);
      if (after != null && after < fragEnd) throw poison(d);
    }

    long cost = len + FRAGMENT_OVERHEAD;
    if (!makeRoom(cost, d)) {
      if (d != null) discard(d);   // it cannot complete without this fragment
      throw fail(DropReason.IPV4_FRAG_MEMORY_LIMIT);
    }
    if (d == null) {
      if (datagrams.size() >= cfg.maxDatagrams()) evictOldest();
      d = new Datagram(key, now + cfg.timeoutNanos());
      datagrams.put(key, d);
    }

    byte[] data = new byte[len];
    payload.get(payload.position(), data);
    d.fragments.put(offsetBytes, data);
    d.held += len;
    d.maxEnd = Math.max(d.maxEnd, fragEnd);
    if (!moreFragments) d.end = fragEnd;
    d.memory += cost;
    memoryUsed += cost;
    if (offsetBytes == 0 && headerAndFirst8 != null) {
      d.headerAndFirst8 = new byte[headerAndFirst8.remaining()];
      headerAndFirst8.get(headerAndFirst8.position(), d.headerAndFirst8);
    }

    if (d.end < 0 || d.held != d.end) return null;
    ByteBuffer whole = ByteBuffer.allocate(d.end);
    for (Map.Entry<Integer, byte[]> f : d.fragments.entrySet()) whole.put(f.getKey(), f.getValue());
    discard(d);
    stats.inc(ReassemblyStat.REASM_OKS);
    return whole;
  }

  /**
   * Discards datagrams whose time is up (RFC 791 §3.2: "If the timer runs out, the all
   * reassembly resources for this buffer identifier are released").
   *
   * @return those that were live, for ICMP Time Exceeded; poisoned ones go silently
   */
  public List<Expired> expire(long now) {
    List<Expired> out = new ArrayList<>();
    for (Iterator<Datagram> it = datagrams.values().iterator(); it.hasNext(); ) {
      Datagram d = it.next();
      if (d.deadline > now) break;
      it.remove();
      memoryUsed -= d.memory;
      if (d.poisoned) continue;
      stats.inc(ReassemblyStat.REASM_TIMEOUTS);
      stats.inc(ReassemblyStat.REASM_FAILS);
      drops.drop(DropReason.IPV4_FRAG_TIMEOUT);
      out.add(new Expired(d.key.src(), d.key.dst(),
          d.headerAndFirst8 == null ? null : ByteBuffer.wrap(d.headerAndFirst8)));
    }
    return out;
  }

  /**
   * A second last fragment must agree on the end (RFC 1122 §3.3.2 leaves this open; Linux
   * {@code ip_frag_queue} discards the queue), and no data may lie beyond a known end.
   */
  private static boolean consistentEnd(Datagram d, int fragEnd, boolean moreFragments) {
    if (!moreFragments) return d.end < 0 ? d.maxEnd <= fragEnd : d.end == fragEnd;
    return d.end < 0 || fragEnd <= d.end;
  }

  /**
   * Evicts the oldest other live datagrams until {@code cost} more bytes fit.
   * @return false when it cannot fit even so
   */
  private boolean makeRoom(long cost, Datagram own) {
    long ownMemory = own == null ? 0 : own.memory;
    if (cost + ownMemory > cfg.memoryLimitBytes()) return false;
    for (Iterator<Datagram> it = datagrams.values().iterator(); memoryUsed + cost > cfg.memoryLimitBytes(); ) {
      Datagram d = it.next();   // cannot run out: the others hold at least the excess
      if (d == own || d.memory == 0) continue;
      it.remove();
      memoryUsed -= d.memory;
      stats.inc(ReassemblyStat.REASM_FAILS);
      drops.drop(DropReason.IPV4_FRAG_MEMORY_LIMIT);
    }
    return true;
  }

  private void evictOldest() {
    Iterator<Datagram> it = datagrams.values().iterator();
    Datagram d = it.next();
    it.remove();
    memoryUsed -= d.memory;
    if (d.poisoned) return;   // only a remembered key; its loss was counted when it was poisoned
    stats.inc(ReassemblyStat.REASM_FAILS);
    drops.drop(DropReason.IPV4_FRAG_TOO_MANY_DATAGRAMS);
  }

  /** Frees the datagram's fragments but keeps its key, and its deadline, as poisoned (RFC 5722 §4). */
  private Malformed poison(Datagram d) {
    memoryUsed -= d.memory;
    d.memory = 0;
    d.fragments.clear();
    d.headerAndFirst8 = null;
    d.held = 0;
    d.poisoned = true;
    stats.inc(ReassemblyStat.REASM_OVERLAPS);
    return fail(DropReason.IPV4_FRAG_OVERLAP);
  }

  private void discard(Datagram d) {
    datagrams.remove(d.key);
    memoryUsed -= d.memory;
  }

  private Malformed fail(DropReason reason) {
    stats.inc(ReassemblyStat.REASM_FAILS);
    return Malformed.of(reason);
  }
}
