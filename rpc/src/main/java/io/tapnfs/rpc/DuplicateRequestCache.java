package io.tapnfs.rpc;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The duplicate-request cache (DRC) of an {@link RpcServer}, after knfsd's (fs/nfsd/nfscache.c):
 * it keeps a call that is not idempotent (NFSv3 REMOVE, RENAME, CREATE, ...) from running twice
 * when the client retransmits it, e.g. after a TCP reconnect, which would answer NFS3ERR_NOENT to
 * a REMOVE that succeeded, or replay a RENAME over a file created since.
 *
 * <p>RFC 5531 §5 lets a server remember granted requests "in order to insure some degree of
 * execute-at-most-once semantics"; RFC 1813 §4.5 describes this cache for NFSv3. RFC 5531 §9: "The
 * xid field is only used for clients matching reply messages with call messages or for servers
 * detecting retransmissions; the service side cannot treat this id as any type of sequence
 * number." So the xid is only compared for equality, inside a {@link DrcKey}: client IP address
 * (not port), xid, program, version, procedure, argument length and a checksum of the first 256
 * argument bytes and of the caller's identity.
 *
 * <p>Entries are IN_PROGRESS (the call runs) or DONE (its reply, as encoded, bytes from the xid
 * on). {@link #begin}:
 * <ul>
 *   <li>miss: an IN_PROGRESS entry is added; the caller runs the call, then {@link #complete}s it
 *       with the reply or {@link #abandon}s it (no reply was sent: the call failed or was dropped);
 *   <li>hit on IN_PROGRESS: the retransmission is dropped (the client will retransmit again), as
 *       knfsd's RC_DROPIT;
 *   <li>hit on DONE: the stored reply is sent again, byte for byte, on whatever transport the
 *       retransmission came (the xid in it is the retransmission's by definition).
 * </ul>
 * Which procedures are cached is the program's choice ({@link RpcServer.Builder#program(int, int,
 * org.dcache.oncrpc4j.rpc.RpcDispatchable, java.util.function.IntPredicate)}); idempotent ones are
 * simply run again, as knfsd's RC_NOCACHE.
 *
 * <p>Bounds, so that no client can grow it: at most {@code maxEntries} entries and {@code maxBytes}
 * bytes (each entry counts its reply plus {@value #ENTRY_OVERHEAD} bytes for the key and
 * bookkeeping). To make room, DONE entries are evicted least recently used first; a hit or a
 * completion makes an entry the most recent and restarts its age, as knfsd's {@code lru_put_end}.
 * IN_PROGRESS entries are never evicted (knfsd's pruning skips RC_INPROG too); there are at most
 * as many as worker threads, since an entry is added on the thread that then runs the call. If
 * nothing can be evicted, the call runs without an entry ({@link RpcStat#DRC_FULL}). DONE entries
 * older than {@code maxAge} (knfsd's RC_EXPIRE, 120 s) are dropped. A reply larger than
 * {@code maxReply} is not stored and its entry is removed, so a retransmission runs the call again:
 * knfsd does the same past 256 bytes. Our cap is larger, since every NFSv3 reply of a cached
 * procedure (at most a 64-byte handle, two attribute sets and wcc data) must fit.
 *
 * <p>The core is pure: time is the {@code now} argument (monotonic nanoseconds), no I/O; every
 * outcome is counted in the {@link RpcCounters} given.
 *
 * <p>Concurrency: all methods are thread-safe under one lock, the cache's monitor (TCP and UDP
 * workers of one server share it). Each holds it for a hash lookup and the eviction of a few
 * entries; checksums are computed, and replies captured and sent, outside it.
 */
final class DuplicateRequestCache {
  static final int DEFAULT_MAX_ENTRIES = 16_384;
  static final long DEFAULT_MAX_BYTES = 16L << 20;
  static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(120);
  /** The largest reply stored. */
  static final int DEFAULT_MAX_REPLY = 4096;
  /** What an entry costs besides its reply: key, entry and map node, roughly. */
  static final int ENTRY_OVERHEAD = 160;

  /** What {@link #begin} says to do with a call. */
  sealed interface Lookup {
    /** Not seen: run it, then {@link #complete} or {@link #abandon} it. */
    record Miss() implements Lookup {}

    /** The same call is running: drop this one. */
    record InProgress() implements Lookup {}

    /** The same call completed: send {@code reply} (not to be modified) instead of running it. */
    record Replay(byte[] reply) implements Lookup {}

    /** No room (every entry is in progress): run it uncached; do not complete it. */
    record Full() implements Lookup {}

    Lookup MISS = new Miss(), IN_PROGRESS = new InProgress(), FULL = new Full();
  }

  private static final class Entry {
    byte[] reply;                       // null while IN_PROGRESS
    long at;                            // when added, completed or last hit
    Entry(long at) { this.at = at; }
  }

  private final int maxEntries;
  private final long maxBytes, maxAgeNanos;
  private final int maxReply;
  private final RpcCounters counters;
  private final LinkedHashMap<DrcKey, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);   // least recent first
  private long bytes;

  DuplicateRequestCache(int maxEntries, long maxBytes, Duration maxAge, int maxReply, RpcCounters counters) {
    checkLimits(maxEntries, maxBytes, maxAge, maxReply);
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.maxAgeNanos = maxAge.toNanos();
    this.maxReply = maxReply;
    this.counters = counters;
  }

  /** Refuses bounds that cannot hold one entry with the largest reply. */
  static void checkLimits(int maxEntries, long maxBytes, Duration maxAge, int maxReply) {
    if (maxEntries < 1) throw new IllegalArgumentException("DRC entries " + maxEntries);
    if (maxReply < 0) throw new IllegalArgumentException("DRC reply cap " + maxReply);
    if (maxBytes < ENTRY_OVERHEAD + (long) maxReply)
      throw new IllegalArgumentException("DRC bytes " + maxBytes + " < one entry with the largest reply, " + (ENTRY_OVERHEAD + maxReply));
    if (maxAge.isNegative() || maxAge.isZero()) throw new IllegalArgumentException("DRC age " + maxAge);
  }

  /** Looks {@code key} up at time {@code now}, adding an IN_PROGRESS entry on a miss. */
  synchronized Lookup begin(DrcKey key, long now) {
    expire(now);
    Entry e = entries.get(key);
    if (e != null && e.reply != null && now - e.at >= maxAgeNanos) {      // behind a fresher one; expire() stops there
      remove(key, e);
      counters.inc(RpcStat.DRC_EXPIRED);
      e = null;
    }
    if (e != null) {
      if (e.reply == null) {
        counters.inc(RpcStat.DRC_IN_PROGRESS_DROPS);
        return Lookup.IN_PROGRESS;
      }
      e.at = now;
      counters.inc(RpcStat.DRC_HITS);
      return new Lookup.Replay(e.reply);
    }
    counters.inc(RpcStat.DRC_MISSES);
    while (entries.size() >= maxEntries || bytes + ENTRY_OVERHEAD > maxBytes) {
      if (!evictOne()) {
        counters.inc(RpcStat.DRC_FULL);
        return Lookup.FULL;
      }
    }
    entries.put(key, new Entry(now));
    bytes += ENTRY_OVERHEAD;
    return Lookup.MISS;
  }

  /**
   * Stores {@code reply} (the caller's own copy, from the xid on) for the call {@link #begin}
   * answered MISS. Ignored if the entry is gone or done already.
   */
  synchronized void complete(DrcKey key, byte[] reply, long now) {
    Entry e = entries.get(key);
    if (e == null || e.reply != null) return;
    if (reply.length > maxReply) {
      remove(key, e);
      counters.inc(RpcStat.DRC_NOT_CACHED);
      return;
    }
    e.reply = reply;
    e.at = now;
    bytes += reply.length;
    while (bytes > maxBytes && evictOne()) { }                            // may evict this one last
  }

  /** Forgets a call {@link #begin} answered MISS that sent no reply; a retransmission runs it again. */
  synchronized void abandon(DrcKey key) {
    Entry e = entries.get(key);
    if (e == null || e.reply != null) return;
    remove(key, e);
    counters.inc(RpcStat.DRC_NOT_CACHED);
  }

  /** The largest reply stored. */
  int maxReply() { return maxReply; }

  /** Entries, in progress or done. */
  synchronized int size() { return entries.size(); }

  /** Bytes accounted: replies plus the per-entry overhead. */
  synchronized long bytes() { return bytes; }

  /** Drops expired DONE entries from the least recent end, up to the first one that is not. */
  private void expire(long now) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.reply == null) continue;
      if (now - e.at < maxAgeNanos) return;
      it.remove();
      bytes -= ENTRY_OVERHEAD + e.reply.length;
      counters.inc(RpcStat.DRC_EXPIRED);
    }
  }

  /** Evicts the least recently used DONE entry. @return false if every entry is in progress */
  private boolean evictOne() {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.reply == null) continue;
      it.remove();
      bytes -= ENTRY_OVERHEAD + e.reply.length;
      counters.inc(RpcStat.DRC_EVICTIONS);
      return true;
    }
    return false;
  }

  private void remove(DrcKey key, Entry e) {
    entries.remove(key);
    bytes -= ENTRY_OVERHEAD + (e.reply == null ? 0 : e.reply.length);
  }
}
