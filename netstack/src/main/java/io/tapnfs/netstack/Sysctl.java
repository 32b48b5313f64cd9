package io.tapnfs.netstack;

/**
 * Named, switchable stack settings, after the Linux sysctls of the same names where one exists
 * (Documentation/networking/ip-sysctl.rst). Defaults are those of a hardened Linux host. Booleans
 * are 0/1. Set with {@code --sysctl name=value} at start or {@code tapnfs set} at run time.
 */
public enum Sysctl {
  // IPv4 / ICMP hardening (RFC 1122 §3.2.2.2 redirects, §3.2.1.8 source routes, §3.2.1.3 martians)
  ACCEPT_REDIRECTS(0, 0, 1, "act on ICMP redirects from the current gateway"),
  ACCEPT_SOURCE_ROUTE(0, 0, 1, "accept packets carrying LSRR/SSRR options"),
  DROP_MARTIANS(1, 0, 1, "drop packets with impossible source addresses"),
  LOG_MARTIANS(1, 0, 1, "log dropped martian packets (rate-limited)"),
  RP_FILTER(1, 0, 1, "strict reverse-path check: drop packets whose source is not routed back out this link"),
  ICMP_ECHO_IGNORE_ALL(0, 0, 1, "answer no echo requests"),
  ICMP_ECHO_IGNORE_BROADCASTS(1, 0, 1, "ignore echo requests to broadcast and multicast addresses"),
  ICMP_MSGS_PER_SEC(1000, 0, 1_000_000, "ICMP error messages per second (token bucket rate)"),
  ICMP_MSGS_BURST(50, 1, 1_000_000, "ICMP error token bucket depth"),
  ICMP_RATELIMIT(1000, 0, 1_000_000, "per destination: milliseconds per ICMP error of a ratemask type, burst of 6 (0: no per-destination limit)"),
  ICMP_RATEMASK(0x1818, 0, 0x3ffff, "ICMP types (bit n = type n) under the rate limits: unreachable, source quench, time exceeded, parameter problem"),
  INET_PEER_THRESHOLD(65_664, 16, 1_000_000, "destinations the per-destination ICMP limiter remembers (least recently used forgotten)"),
  IP_DEFAULT_TTL(64, 1, 255, "TTL of packets we originate"),
  IP_NO_PMTU_DISC(0, 0, 1, "send TCP without DF, so no path-MTU discovery (RFC 1191); 0 = discover like Linux"),
  IPFRAG_TIME_MS(30_000, 100, 600_000, "reassembly timeout per datagram"),
  IPFRAG_HIGH_THRESH(4 << 20, 65_536, 1 << 30, "bytes of fragments held for reassembly, all datagrams"),
  IPFRAG_MAX_DATAGRAMS(1024, 1, 1 << 20, "datagrams being reassembled at once"),
  // ARP (RFC 826, RFC 5227), Linux neighbour settings
  ARP_RETRANS_MS(1000, 10, 60_000, "first ARP retransmit interval; doubles on each retry"),
  ARP_MCAST_SOLICIT(3, 1, 100, "ARP requests sent before a destination is unreachable"),
  ARP_REACHABLE_MS(30_000, 100, 3_600_000, "how long a confirmed entry stays REACHABLE"),
  ARP_GC_STALE_MS(60_000, 100, 86_400_000, "how long an unused STALE entry is kept"),
  ARP_UNRES_QLEN_BYTES(212_992, 0, 1 << 30, "bytes of packets queued per destination while ARP resolves it (Linux unres_qlen_bytes)"),
  ARP_CACHE_MAX(1024, 4, 1 << 20, "entries in the ARP cache"),
  ARP_ANNOUNCE_COUNT(2, 0, 10, "gratuitous ARP announcements at start (RFC 5227 §2.3)"),
  // TCP (RFC 9293), Linux names where they exist
  TCP_TIME_WAIT_MS(60_000, 0, 600_000, "TIME-WAIT duration, 2*MSL (Linux: 60 s)"),
  TCP_FIN_TIMEOUT_MS(60_000, 1_000, 600_000, "how long an orphaned FIN-WAIT-2 connection is kept"),
  TCP_RMEM(262_144, 4_096, 1 << 30, "receive buffer per connection at the start, bytes"),
  TCP_RMEM_MAX(4 << 20, 4_096, 1 << 30, "receive buffer auto-tuning grows a connection's buffer up to this"),
  TCP_WMEM(262_144, 4_096, 1 << 30, "send buffer per connection, bytes"),
  TCP_MAX_CONNECTIONS(4096, 1, 1 << 20, "connections in all states, the listeners' backlogs included"),
  TCP_NODELAY(0, 0, 1, "disable Nagle's algorithm for every connection"),
  TCP_GSO(1, 0, 1, "segmentation offload: hand the link TCP segments of up to 64 KiB to cut to the MTU, where it can (a tap opened with a vnet header)"),
  TCP_WINDOW_SCALING(1, 0, 1, "offer and accept RFC 7323 window scaling"),
  TCP_TIMESTAMPS(1, 0, 1, "offer and accept RFC 7323 timestamps (PAWS)"),
  TCP_SACK(1, 0, 1, "offer and accept RFC 2018 selective acknowledgments"),
  TCP_SYNCOOKIES(1, 0, 1, "answer SYNs with RFC 4987 SYN cookies when a listen backlog is full"),
  TCP_CHALLENGE_ACK_LIMIT(1000, 1, 1_000_000, "RFC 5961 challenge ACKs per second, all connections"),
  TCP_MIN_RTO_MS(200, 1, 60_000, "lower bound of the retransmission timeout (RFC 6298 says 1 s; Linux 200 ms)"),
  TCP_RETRIES2(15, 1, 100, "retransmissions of data before the connection is given up"),
  TCP_SYN_RETRIES(6, 1, 100, "SYN retransmissions before connect fails"),
  TCP_KEEPALIVE_TIME_MS(7_200_000, 1_000, 1L << 31, "idle time before the first keepalive probe"),
  TCP_KEEPALIVE_INTVL_MS(75_000, 1_000, 1L << 31, "time between keepalive probes"),
  TCP_KEEPALIVE_PROBES(9, 1, 127, "unanswered keepalive probes before the connection is dropped"),
  TCP_OFO_MAX_SEGMENTS(4096, 1, 1 << 20, "out-of-order segments held per connection"),
  // UDP
  UDP_RMEM(262_144, 1024, 1 << 30, "bytes queued on a UDP socket's receive queue"),
  UDP_WMEM(262_144, 65_536, 1 << 30, "bytes a UDP socket may have waiting to be sent");

  private final long defaultValue, min, max;
  private final String description;
  private final String key;

  Sysctl(long defaultValue, long min, long max, String description) {
    this.defaultValue = defaultValue;
    this.min = min;
    this.max = max;
    this.description = description;
    this.key = name().toLowerCase(java.util.Locale.ROOT);
  }

  public long defaultValue() { return defaultValue; }
  public long min() { return min; }
  public long max() { return max; }
  public String description() { return description; }
  /** Lower-case name, as on the command line: {@code rp_filter}. */
  public String key() { return key; }

  public static Sysctl byKey(String key) {
    for (Sysctl s : values()) if (s.key.equals(key)) return s;
    throw new IllegalArgumentException("unknown setting '" + key + "' (see tapnfs serve --help-sysctl)");
  }
}
