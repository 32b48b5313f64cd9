package io.tapnfs.netstack;

/**
 * Why a frame, packet or datagram was dropped. Every drop in the stack names one of these and
 * bumps its counter; {@code tapnfs stat} prints them per layer.
 */
public enum DropReason {
  // link and Ethernet
  LINK_RX_ERROR(Layer.LINK),
  LINK_TX_ERROR(Layer.LINK),
  STACK_INTERNAL_ERROR(Layer.LINK),
  ETH_TRUNCATED(Layer.ETHERNET),
  ETH_NOT_FOR_US(Layer.ETHERNET),
  ETH_SOURCE_IS_OURS(Layer.ETHERNET),
  ETH_BAD_SOURCE(Layer.ETHERNET),
  ETH_UNKNOWN_ETHERTYPE(Layer.ETHERNET),
  ETH_OVERSIZED(Layer.ETHERNET),
  // ARP
  ARP_TRUNCATED(Layer.ARP),
  ARP_UNSUPPORTED_HARDWARE(Layer.ARP),
  ARP_UNSUPPORTED_PROTOCOL(Layer.ARP),
  ARP_BAD_OPERATION(Layer.ARP),
  ARP_NOT_FOR_US(Layer.ARP),
  ARP_BAD_SENDER(Layer.ARP),
  ARP_QUEUE_OVERFLOW(Layer.ARP),
  ARP_RESOLUTION_FAILED(Layer.ARP),
  ARP_CACHE_FULL(Layer.ARP),
  // IPv4
  IPV4_TRUNCATED(Layer.IPV4),
  IPV4_BAD_VERSION(Layer.IPV4),
  IPV4_BAD_HEADER_LENGTH(Layer.IPV4),
  IPV4_BAD_TOTAL_LENGTH(Layer.IPV4),
  IPV4_BAD_CHECKSUM(Layer.IPV4),
  IPV4_BAD_OPTIONS(Layer.IPV4),
  IPV4_TTL_ZERO(Layer.IPV4),
  IPV4_NOT_FOR_US(Layer.IPV4),
  IPV4_MARTIAN_SOURCE(Layer.IPV4),
  IPV4_REVERSE_PATH(Layer.IPV4),
  IPV4_SOURCE_ROUTED(Layer.IPV4),
  IPV4_UNKNOWN_PROTOCOL(Layer.IPV4),
  IPV4_NO_ROUTE(Layer.IPV4),
  IPV4_DONT_FRAGMENT(Layer.IPV4),
  IPV4_TOO_LARGE(Layer.IPV4),
  IPV4_FRAG_BAD_LENGTH(Layer.IPV4),
  IPV4_FRAG_OVERLAP(Layer.IPV4),
  IPV4_FRAG_TOO_LARGE(Layer.IPV4),
  IPV4_FRAG_MEMORY_LIMIT(Layer.IPV4),
  IPV4_FRAG_TIMEOUT(Layer.IPV4),
  IPV4_FRAG_TOO_MANY_DATAGRAMS(Layer.IPV4),
  // ICMP
  ICMP_TRUNCATED(Layer.ICMP),
  ICMP_BAD_CHECKSUM(Layer.ICMP),
  ICMP_UNKNOWN_TYPE(Layer.ICMP),
  ICMP_BROADCAST_ECHO_IGNORED(Layer.ICMP),
  ICMP_REDIRECT_IGNORED(Layer.ICMP),
  ICMP_ERROR_RATE_LIMITED(Layer.ICMP),
  // UDP
  UDP_TRUNCATED(Layer.UDP),
  UDP_BAD_LENGTH(Layer.UDP),
  UDP_BAD_CHECKSUM(Layer.UDP),
  UDP_NO_PORT(Layer.UDP),
  UDP_RECEIVE_QUEUE_FULL(Layer.UDP),
  UDP_PAYLOAD_TOO_LARGE(Layer.UDP),
  // TCP
  TCP_TRUNCATED(Layer.TCP),
  TCP_BAD_DATA_OFFSET(Layer.TCP),
  TCP_BAD_CHECKSUM(Layer.TCP),
  TCP_BAD_OPTIONS(Layer.TCP),
  TCP_BAD_FLAGS(Layer.TCP),
  TCP_BAD_PORT(Layer.TCP),
  TCP_NOT_UNICAST(Layer.TCP),
  TCP_NO_CONNECTION(Layer.TCP),
  TCP_LISTEN_OVERFLOW(Layer.TCP),
  /** RFC 7323 §5: a timestamp older than TS.Recent (PAWS). */
  TCP_PAWS(Layer.TCP),
  /** RFC 9293 §3.10.7.4 first check: not in the receive window. */
  TCP_OUT_OF_WINDOW(Layer.TCP),
  /** The ACK field acknowledges data never sent (RFC 9293), or is too old (RFC 5961 §5.2). */
  TCP_BAD_ACK(Layer.TCP),
  /** In-window data with no room in the receive or out-of-order buffers. */
  TCP_RCV_QUEUE_FULL(Layer.TCP),
  /** An ACK to a listener that is not a valid SYN cookie (RFC 4987). */
  TCP_BAD_COOKIE(Layer.TCP),
  /** Data for a connection the application has closed: answered with a reset. */
  TCP_DATA_AFTER_CLOSE(Layer.TCP);

  private final Layer layer;
  private final String mibName;

  DropReason(Layer layer) {
    this.layer = layer;
    this.mibName = Counters.camel(name());
  }

  public Layer layer() { return layer; }

  /** Counter-style name, e.g. {@code ipv4BadChecksum}. */
  public String mibName() { return mibName; }
}
