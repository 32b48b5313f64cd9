package io.tapnfs.netstack.ipv4;

import io.tapnfs.netstack.Counters;
import io.tapnfs.netstack.DropCounter;
import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.StackSettings;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.TimerWheel;
import io.tapnfs.netstack.icmp.IcmpType;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPv4 for a host with one interface (RFC 791, RFC 1122 §3.2.1, §3.3.2): validates what arrives,
 * applies the hardening settings, reassembles fragments, dispatches by protocol; routes,
 * fragments and emits what we send. Event-loop thread only.
 */
public final class Ipv4Endpoint {
  private static final Logger log = LoggerFactory.getLogger(Ipv4Endpoint.class);
  /** RFC 791: "Every internet module must be able to forward a datagram of 68 octets". */
  public static final int MIN_MTU = 68;

  private final StackSettings settings;
  private final Ipv4Cidr address;
  private final int mtu;
  private final RouteTable routes;
  private final Reassembler reassembler;
  private final Ipv4Output output;
  private final DropCounter drops;
  private final TransportProtocol[] transports = new TransportProtocol[256];
  private final Counters<Ipv4Stat> stats = new Counters<>(Ipv4Stat.class);
  private final TimerWheel.Timer reassemblyTimer;
  private ErrorSink errors = ErrorSink.NONE;
  private int nextIdent;
  private long lastMartianLog = Long.MIN_VALUE;

  public Ipv4Endpoint(StackSettings settings, Ipv4Cidr address, int mtu, RouteTable routes,
                      Ipv4Output output, DropCounter drops, TimerWheel wheel, int identSeed) {
    if (mtu < MIN_MTU) throw new IllegalArgumentException("MTU " + mtu + " is below the IPv4 minimum of 68");
    this.settings = settings;
    this.address = address;
    this.mtu = mtu;
    this.routes = routes;
    this.output = output;
    this.drops = drops;
    this.nextIdent = identSeed;
    this.reassembler = new Reassembler(new ReassemblyConfig(
        settings.get(Sysctl.IPFRAG_TIME_MS) * 1_000_000L, settings.get(Sysctl.IPFRAG_HIGH_THRESH),
        (int) settings.get(Sysctl.IPFRAG_MAX_DATAGRAMS)), drops);
    this.reassemblyTimer = wheel.newTimer(this::expireFragments);
  }

  public void register(TransportProtocol p) { transports[p.protocolNumber()] = p; }

  public void setErrorSink(ErrorSink errors) { this.errors = errors; }

  public Ipv4Address address() { return address.address(); }
  public Ipv4Cidr cidr() { return address; }
  public int mtu() { return mtu; }
  public RouteTable routes() { return routes; }
  public Reassembler reassembler() { return reassembler; }
  public Counters<Ipv4Stat> counters() { return stats; }

  // ---------------------------------------------------------------- receive

  /**
   * Handles one IPv4 packet, {@code packet.position()..limit()} (may include link padding).
   * @param linkBroadcast the frame was sent to the Ethernet broadcast address
   */
  public void receive(long now, ByteBuffer packet, boolean linkBroadcast) {
    stats.inc(Ipv4Stat.IN_RECEIVES);
    Ipv4Header h;
    Ipv4Repr ip;
    try {
      h = Ipv4Header.checked(packet);
      ip = Ipv4Repr.parse(h, true);
    } catch (Malformed m) {
      stats.inc(Ipv4Stat.IN_HDR_ERRORS);
      drops.drop(m.reason());
      return;
    }
    // RFC 1122 §3.2.1.7: "A host MUST NOT send a datagram with a Time-to-Live (TTL) value of 0."
    // Such a packet was made by a broken or hostile sender; we do not deliver it.
    if (ip.ttl() == 0) { drop(Ipv4Stat.IN_HDR_ERRORS, DropReason.IPV4_TTL_ZERO); return; }
    // RFC 1122 §3.2.1.8: a host MAY refuse source-routed packets; a hardened host does.
    if (ip.sourceRouted() && !settings.on(Sysctl.ACCEPT_SOURCE_ROUTE)) {
      drop(Ipv4Stat.IN_HDR_ERRORS, DropReason.IPV4_SOURCE_ROUTED);
      return;
    }
    boolean ipBroadcast = isBroadcastForUs(ip.dst());
    if (!ip.dst().equals(address.address()) && !ipBroadcast) {
      // We are a host: RFC 1122 §3.3.4.2, we do not forward.
      drop(Ipv4Stat.IN_ADDR_ERRORS, DropReason.IPV4_NOT_FOR_US);
      return;
    }
    if (isMartianSource(ip.src())) {
      stats.inc(Ipv4Stat.IN_MARTIANS);
      if (settings.on(Sysctl.LOG_MARTIANS) && (lastMartianLog == Long.MIN_VALUE || now - lastMartianLog > 1_000_000_000L)) {
        lastMartianLog = now;
        log.info("martian source {} to {} (protocol {})", ip.src(), ip.dst(), ip.protocol());
      }
      if (settings.on(Sysctl.DROP_MARTIANS)) { drop(Ipv4Stat.IN_ADDR_ERRORS, DropReason.IPV4_MARTIAN_SOURCE); return; }
    }
    // Strict reverse-path filtering (RFC 3704 §2.2): the route back to the source must exist.
    // With one interface, a source only fails when no route covers it at all.
    if (settings.on(Sysctl.RP_FILTER) && !ip.src().isUnspecified() && routes.lookup(ip.src()).isEmpty()) {
      drop(Ipv4Stat.IN_ADDR_ERRORS, DropReason.IPV4_REVERSE_PATH);
      return;
    }
    boolean broadcast = ipBroadcast || linkBroadcast;
    if (broadcast) stats.inc(Ipv4Stat.IN_BCAST_PKTS);

    if (ip.isFragment()) {
      ByteBuffer whole;
      int headerLen = h.headerLen();
      ByteBuffer first8 = h.datagram().limit(headerLen + Math.min(8, ip.payloadLen()));
      try {
        whole = reassembler.accept(now, ip.src(), ip.dst(), ip.protocol(), ip.ident(), ip.fragOffset(),
            ip.moreFragments(), h.payload(), first8);
      } catch (Malformed m) {
        drop(Ipv4Stat.IN_DISCARDS, m.reason());
        rearmReassembly();
        return;
      }
      rearmReassembly();
      if (whole == null) return;
      Ipv4Repr full = new Ipv4Repr(ip.src(), ip.dst(), ip.protocol(), whole.remaining(), ip.ttl(),
          ip.ident(), ip.dontFragment(), false, 0, ip.tos(), false);
      dispatch(now, new InboundDatagram(full, whole, quoteOf(full, whole), broadcast));
    } else {
      dispatch(now, new InboundDatagram(ip, h.payload(), h.datagram(), broadcast));
    }
  }

  private void dispatch(long now, InboundDatagram d) {
    TransportProtocol t = transports[d.ip().protocol()];
    if (t == null) {
      stats.inc(Ipv4Stat.IN_UNKNOWN_PROTOS);
      drops.drop(DropReason.IPV4_UNKNOWN_PROTOCOL);
      errors.sendError(now, IcmpType.DEST_UNREACHABLE, IcmpType.CODE_PROTOCOL_UNREACHABLE, 0, d);
      return;
    }
    stats.inc(Ipv4Stat.IN_DELIVERS);
    t.deliver(now, d);
  }

  /** A header plus the first bytes of a reassembled payload, for ICMP errors (RFC 792). */
  private static ByteBuffer quoteOf(Ipv4Repr ip, ByteBuffer payload) {
    int n = Math.min(payload.remaining(), 576 - 2 * Ipv4Header.MIN_LEN - 8);
    ByteBuffer q = ByteBuffer.allocate(Ipv4Header.MIN_LEN + n);
    ip.emit(Ipv4Header.unchecked(q));
    q.put(Ipv4Header.MIN_LEN, payload, payload.position(), n);
    return q;
  }

  private void expireFragments(long now) {
    for (Reassembler.Expired e : reassembler.expire(now)) {
      ByteBuffer quote = e.headerAndFirst8();
      if (quote == null) continue;
      // RFC 792 / RFC 1122 §3.2.2.4: Time Exceeded code 1, only when fragment zero arrived.
      try {
        // The quote is a header plus 8 bytes, shorter than the total length it states: read it
        // with the unchecked view (it was validated when the fragment arrived).
        Ipv4Repr ip = Ipv4Repr.parse(Ipv4Header.unchecked(quote.duplicate()), false);
        errors.sendError(now, IcmpType.TIME_EXCEEDED, IcmpType.CODE_REASSEMBLY_TIME_EXCEEDED, 0,
            new InboundDatagram(ip, ByteBuffer.allocate(0), quote, false));
      } catch (Malformed m) {
        log.error("fragment zero's header, valid on arrival, no longer parses: {}", m.reason());
      }
    }
    rearmReassembly();
  }

  private void rearmReassembly() {
    long d = reassembler.nextDeadline();
    if (d == Long.MAX_VALUE) reassemblyTimer.cancel(); else reassemblyTimer.arm(d);
  }

  /** Limited broadcast, the directed broadcast of our subnet, or the all-hosts group (RFC 1112). */
  public boolean isBroadcastForUs(Ipv4Address dst) {
    return dst.isBroadcast() || address.isDirectedBroadcast(dst) || dst.equals(ALL_HOSTS);
  }

  static final Ipv4Address ALL_HOSTS = Ipv4Address.of(224, 0, 0, 1);

  /**
   * RFC 1122 §3.2.1.3 and RFC 1812 §5.3.7: a source that cannot name one host — 0/8, 127/8,
   * multicast, class E, a broadcast — or that is our own address (Linux counts that martian too).
   */
  public boolean isMartianSource(Ipv4Address src) {
    return src.isThisNetwork() || src.isLoopback() || src.isMulticast() || src.isReserved()
        || src.isBroadcast() || address.isDirectedBroadcast(src) || src.equals(address.address());
  }

  private void drop(Ipv4Stat stat, DropReason reason) {
    stats.inc(stat);
    drops.drop(reason);
  }

  // ---------------------------------------------------------------- send

  /**
   * The largest TCP segment (TCP header included) {@link #sendGso} takes: what the link below can
   * cut into MTU-sized segments itself; 0 when it cannot.
   */
  public int gsoMaxSegment() {
    int d = output.gsoMaxSize();
    return d > mtu ? Math.min(d, Ipv4Header.MAX_TOTAL_LEN) - Ipv4Header.MIN_LEN : 0;
  }

  /**
   * Sends one TCP segment of up to {@link #gsoMaxSegment()} bytes, DF set, as one datagram for
   * the link to cut into segments of {@code mss} payload bytes, each a datagram of at most the
   * MTU (segmentation offload; RFC 791's fragmentation never applies). The TCP checksum field
   * holds the pseudo-header sum only ({@link io.tapnfs.netstack.link.LinkEndpoint#writeGso}).
   * Counted as one datagram, as Linux counts a GSO packet.
   * @return whether it was handed to the link
   */
  public boolean sendGso(long now, Ipv4Address dst, int protocol, ByteBuffer segment, int mss) {
    int len = segment.remaining();
    int tcpHeader = len >= 20 ? ((segment.get(segment.position() + 12) >>> 4) & 0x0f) * 4 : 0;
    if (len > gsoMaxSegment() || mss <= 0 || tcpHeader < 20 || Ipv4Header.MIN_LEN + tcpHeader + mss > mtu)
      throw new IllegalArgumentException("TCP segment of " + len + " bytes cut to " + mss + " for MTU " + mtu
          + " on a link that takes " + gsoMaxSegment());
    stats.inc(Ipv4Stat.OUT_REQUESTS);
    Ipv4Address nextHop = nextHop(dst);
    if (nextHop == null) return false;
    Ipv4Repr ip = Ipv4Repr.of(address.address(), dst, protocol, len, (int) settings.get(Sysctl.IP_DEFAULT_TTL), nextIdent & 0xffff, true);
    // the link gives each segment an identification of its own, counting up from this one
    nextIdent += (len + mss - 1) / mss;
    ByteBuffer d = ByteBuffer.allocate(ip.totalLen());
    ip.emit(Ipv4Header.unchecked(d));
    d.put(Ipv4Header.MIN_LEN, segment, segment.position(), len);
    stats.inc(Ipv4Stat.OUT_TRANSMITS);
    output.outputGso(now, nextHop, d, mss);
    return true;
  }

  /** The next hop toward {@code dst}, or null (counted) when no route leads there. */
  private Ipv4Address nextHop(Ipv4Address dst) {
    if (dst.isBroadcast() || dst.isMulticast()) return dst;
    Optional<Route> r = routes.lookup(dst);
    if (r.isEmpty()) { drop(Ipv4Stat.OUT_NO_ROUTES, DropReason.IPV4_NO_ROUTE); return null; }
    return r.get().nextHop(dst);
  }

  /**
   * Routes and sends a transport payload from our address, fragmenting to the MTU (RFC 791 §3.2
   * "Fragmentation") unless {@code dontFragment}.
   * @return whether it was handed to the link
   */
  public boolean send(long now, Ipv4Address dst, int protocol, ByteBuffer payload, boolean dontFragment) {
    return send(now, dst, protocol, payload, dontFragment, (int) settings.get(Sysctl.IP_DEFAULT_TTL));
  }

  public boolean send(long now, Ipv4Address dst, int protocol, ByteBuffer payload, boolean dontFragment, int ttl) {
    stats.inc(Ipv4Stat.OUT_REQUESTS);
    Ipv4Address nextHop = nextHop(dst);
    if (nextHop == null) return false;
    int len = payload.remaining();
    if (len > Ipv4Header.MAX_TOTAL_LEN - Ipv4Header.MIN_LEN) {
      drop(Ipv4Stat.OUT_DISCARDS, DropReason.IPV4_TOO_LARGE);
      return false;
    }
    int ident = nextIdent++ & 0xffff;
    Ipv4Repr ip = Ipv4Repr.of(address.address(), dst, protocol, len, ttl, ident, dontFragment);
    if (ip.totalLen() <= mtu) {
      ByteBuffer d = ByteBuffer.allocate(ip.totalLen());
      ip.emit(Ipv4Header.unchecked(d));
      d.put(Ipv4Header.MIN_LEN, payload, payload.position(), len);
      stats.inc(Ipv4Stat.OUT_TRANSMITS);
      output.output(now, nextHop, d);
      return true;
    }
    stats.inc(Ipv4Stat.OUT_FRAG_REQDS);
    if (dontFragment) { drop(Ipv4Stat.OUT_FRAG_FAILS, DropReason.IPV4_DONT_FRAGMENT); return false; }
    // Every fragment but the last carries a multiple of 8 payload bytes.
    int per = (mtu - Ipv4Header.MIN_LEN) & ~7;
    for (int off = 0; off < len; off += per) {
      int n = Math.min(per, len - off);
      Ipv4Repr f = ip.withFragment(off, n, off + n < len);
      ByteBuffer d = ByteBuffer.allocate(f.totalLen());
      f.emit(Ipv4Header.unchecked(d));
      d.put(Ipv4Header.MIN_LEN, payload, payload.position() + off, n);
      stats.inc(Ipv4Stat.OUT_FRAG_CREATES);
      stats.inc(Ipv4Stat.OUT_TRANSMITS);
      output.output(now, nextHop, d);
    }
    stats.inc(Ipv4Stat.OUT_FRAG_OKS);
    return true;
  }
}
