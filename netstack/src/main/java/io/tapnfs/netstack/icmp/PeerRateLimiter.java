package io.tapnfs.netstack.icmp;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.util.LinkedHashMap;

/**
 * ICMP errors per destination, as Linux's {@code icmpv4_xrlim_allow} / {@code
 * inet_peer_xrlim_allow} do it: each destination has a bucket of {@value #BURST} messages
 * (XRLIM_BURST_FACTOR) refilled one per {@code icmp_ratelimit} milliseconds, so a host cannot be
 * used to reflect a flood at one victim however many probes it gets. The destinations
 * remembered are bounded ({@code inet_peer_threshold}); the least recently used is forgotten (a
 * forgotten one starts again with a full bucket, as a new inet_peer does). Event-loop thread only.
 */
final class PeerRateLimiter {
  /** Linux's XRLIM_BURST_FACTOR: a destination may get this many errors at once. */
  static final int BURST = 6;

  private final LinkedHashMap<Ipv4Address, TokenBucket> peers = new LinkedHashMap<>(64, 0.75f, true);
  private long intervalMillis = -1;
  private int maxPeers;

  /**
   * Whether an error may go to {@code dst} now.
   *
   * @param intervalMillis {@code icmp_ratelimit}: milliseconds per message; 0: no limit
   * @param maxPeers {@code inet_peer_threshold}
   */
  boolean allow(long now, Ipv4Address dst, long intervalMillis, int maxPeers) {
    if (intervalMillis <= 0) return true;
    if (intervalMillis != this.intervalMillis) {                   // changed at run time: start afresh
      peers.clear();
      this.intervalMillis = intervalMillis;
    }
    this.maxPeers = maxPeers;
    TokenBucket b = peers.get(dst);
    if (b == null) {
      b = new TokenBucket(1000.0 / intervalMillis, BURST);
      peers.put(dst, b);
      trim();
    }
    return b.tryTake(now);
  }

  private void trim() {
    var it = peers.entrySet().iterator();
    while (peers.size() > maxPeers && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  int size() { return peers.size(); }
}
