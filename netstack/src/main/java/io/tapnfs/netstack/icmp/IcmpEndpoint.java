package io.tapnfs.netstack.icmp;

import io.tapnfs.netstack.Counters;
import io.tapnfs.netstack.DropCounter;
import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.StackSettings;
import io.tapnfs.netstack.Sysctl;
import io.tapnfs.netstack.ipv4.ErrorSink;
import io.tapnfs.netstack.ipv4.InboundDatagram;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.ipv4.Ipv4Endpoint;
import io.tapnfs.netstack.ipv4.Ipv4Header;
import io.tapnfs.netstack.ipv4.Ipv4Repr;
import io.tapnfs.netstack.ipv4.Route;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICMP for a host (RFC 792, RFC 1122 §3.2.2): answers echo, sends the errors IPv4 and the
 * transports ask for under the RFC 1122 restrictions and a token-bucket rate limit, ignores
 * redirects unless told otherwise. Event-loop thread only.
 */
public final class IcmpEndpoint implements io.tapnfs.netstack.ipv4.TransportProtocol, ErrorSink {
  private static final Logger log = LoggerFactory.getLogger(IcmpEndpoint.class);
  /** RFC 1812 §4.3.2.3: an error carries as much of the original as fits in 576 bytes. */
  static final int MAX_ERROR_DATAGRAM = 576;

  /** An error message that arrived about a datagram we sent; for the transports (and PMTU). */
  public record ErrorReport(int type, int code, int rest, Ipv4Address from, ByteBuffer quote) {}

  private final StackSettings settings;
  private final Ipv4Endpoint ip;
  private final DropCounter drops;
  private TokenBucket bucket;
  private long bucketRate = -1, bucketBurst = -1;
  private final PeerRateLimiter peers = new PeerRateLimiter();
  private final Counters<IcmpStat> stats = new Counters<>(IcmpStat.class);
  private Consumer<ErrorReport> errorListener = r -> {};
  private Consumer<IcmpRepr> echoReplyListener = r -> {};

  public IcmpEndpoint(StackSettings settings, Ipv4Endpoint ip, DropCounter drops) {
    this.settings = settings;
    this.ip = ip;
    this.drops = drops;
  }

  @Override public int protocolNumber() { return IpProtocol.ICMP; }

  public Counters<IcmpStat> counters() { return stats; }

  public void onError(Consumer<ErrorReport> l) { this.errorListener = l; }

  /** Where destination-unreachable reports go for the transports (TCP's PMTU discovery). */
  @FunctionalInterface
  public interface TransportErrors { void report(long now, ErrorReport r); }

  private TransportErrors transportErrors = (now, r) -> {};

  public void onTransportError(TransportErrors t) { this.transportErrors = t; }

  public void onEchoReply(Consumer<IcmpRepr> l) { this.echoReplyListener = l; }

  @Override
  public void deliver(long now, InboundDatagram d) {
    stats.inc(IcmpStat.IN_MSGS);
    IcmpRepr m;
    try {
      m = IcmpRepr.parse(IcmpHeader.checked(d.payload()), true);
    } catch (Malformed e) {
      stats.inc(IcmpStat.IN_ERRORS);
      drops.drop(e.reason());
      return;
    }
    switch (m.type()) {
      case IcmpType.ECHO_REQUEST -> echo(now, d, m);
      case IcmpType.ECHO_REPLY -> { stats.inc(IcmpStat.IN_ECHO_REPS); echoReplyListener.accept(m); }
      case IcmpType.DEST_UNREACHABLE -> {
        stats.inc(IcmpStat.IN_DEST_UNREACHS);
        if (m.code() == IcmpType.CODE_FRAGMENTATION_NEEDED) stats.inc(IcmpStat.IN_FRAG_NEEDED);
        ErrorReport r = new ErrorReport(m.type(), m.code(), m.rest(), d.ip().src(), m.data());
        errorListener.accept(r);
        transportErrors.report(now, r);
      }
      case IcmpType.TIME_EXCEEDED -> {
        stats.inc(IcmpStat.IN_TIME_EXCDS);
        errorListener.accept(new ErrorReport(m.type(), m.code(), m.rest(), d.ip().src(), m.data()));
      }
      case IcmpType.PARAMETER_PROBLEM -> {
        stats.inc(IcmpStat.IN_PARM_PROBS);
        errorListener.accept(new ErrorReport(m.type(), m.code(), m.rest(), d.ip().src(), m.data()));
      }
      // RFC 6633 deprecates Source Quench: count it, act on nothing.
      case IcmpType.SOURCE_QUENCH -> stats.inc(IcmpStat.IN_SRC_QUENCHS);
      case IcmpType.REDIRECT -> redirect(d, m);
      // RFC 1122 §3.2.2.8 makes Timestamp optional; like a hardened Linux we do not answer it.
      case IcmpType.TIMESTAMP, IcmpType.TIMESTAMP_REPLY -> stats.inc(IcmpStat.IN_TIMESTAMPS);
      default -> drops.drop(DropReason.ICMP_UNKNOWN_TYPE);
    }
  }

  /** RFC 792 Echo; RFC 1122 §3.2.2.6: reply with the same identifier, sequence and data. */
  private void echo(long now, InboundDatagram d, IcmpRepr m) {
    stats.inc(IcmpStat.IN_ECHOS);
    if (settings.on(Sysctl.ICMP_ECHO_IGNORE_ALL)) return;
    // §3.2.2.6: "An ICMP Echo Request destined to an IP broadcast or IP multicast address MAY be
    // silently discarded" — a smurf amplifier otherwise.
    if (d.broadcast() && settings.on(Sysctl.ICMP_ECHO_IGNORE_BROADCASTS)) {
      drops.drop(DropReason.ICMP_BROADCAST_ECHO_IGNORED);
      return;
    }
    if (send(now, d.ip().src(), IcmpRepr.echoReply(m.rest(), m.data()))) stats.inc(IcmpStat.OUT_ECHO_REPS);
  }

  /** Sends an echo request (for diagnostics and tests). */
  public boolean ping(long now, Ipv4Address dst, int id, int seq, ByteBuffer data) {
    boolean ok = send(now, dst, IcmpRepr.echoRequest(id, seq, data));
    if (ok) stats.inc(IcmpStat.OUT_ECHOS);
    return ok;
  }

  /**
   * RFC 1122 §3.2.2.2: a host SHOULD update its routes on a redirect — but only from the current
   * first-hop gateway for that destination, and only to an on-link gateway. Off by default, as on
   * hardened hosts (a redirect is an unauthenticated route change).
   */
  private void redirect(InboundDatagram d, IcmpRepr m) {
    stats.inc(IcmpStat.IN_REDIRECTS);
    if (!settings.on(Sysctl.ACCEPT_REDIRECTS)) { drops.drop(DropReason.ICMP_REDIRECT_IGNORED); return; }
    ByteBuffer q = m.data();
    if (q.remaining() < Ipv4Header.MIN_LEN) { drops.drop(DropReason.ICMP_TRUNCATED); return; }
    Ipv4Address target = Ipv4Address.read(q, Ipv4Header.DST);
    Ipv4Address newGw = new Ipv4Address(m.rest());
    Optional<Route> current = ip.routes().lookup(target);
    boolean fromCurrentGateway = current.isPresent() && current.get().nextHop(target).equals(d.ip().src());
    if (!fromCurrentGateway || !ip.cidr().contains(newGw) || newGw.equals(ip.address())) {
      drops.drop(DropReason.ICMP_REDIRECT_IGNORED);
      return;
    }
    ip.routes().add(new Route(new Ipv4Cidr(target, 32), newGw, Route.Kind.STATIC, 0));
    stats.inc(IcmpStat.IN_REDIRECTS_ACCEPTED);
    log.info("redirect from {}: {} now via {}", d.ip().src(), target, newGw);
  }

  /**
   * Sends an ICMP error about {@code about}, unless RFC 1122 §3.2.2 forbids it: "An ICMP error
   * message MUST NOT be sent as the result of receiving: an ICMP error message, a datagram destined
   * to an IP broadcast or IP multicast address, a datagram sent as a link-layer broadcast, a
   * non-initial fragment, or a datagram whose source address does not define a single host".
   */
  @Override
  public void sendError(long now, int type, int code, int rest, InboundDatagram about) {
    Ipv4Repr o = about.ip();
    if (o.fragOffset() != 0 || about.broadcast() || o.dst().isMulticast() || o.dst().isBroadcast()
        || ip.isBroadcastForUs(o.dst()) || ip.isMartianSource(o.src()) || isErrorMessage(about)) {
      stats.inc(IcmpStat.OUT_SUPPRESSED);
      return;
    }
    if (!rateAllows(now, type, code, o.src())) return;
    ByteBuffer quote = about.quote();
    int n = Math.min(quote.remaining(), MAX_ERROR_DATAGRAM - Ipv4Header.MIN_LEN - IcmpHeader.LENGTH);
    ByteBuffer data = quote.duplicate().limit(quote.position() + n);
    if (send(now, o.src(), new IcmpRepr(type, code, rest, data))) {
      stats.inc(IcmpStat.OUT_ERRORS);
      if (type == IcmpType.DEST_UNREACHABLE) stats.inc(IcmpStat.OUT_DEST_UNREACHS);
      if (type == IcmpType.TIME_EXCEEDED) stats.inc(IcmpStat.OUT_TIME_EXCDS);
    }
  }

  /**
   * Linux's two limits on ICMP errors of the types in {@code icmp_ratemask} (icmp_global_allow,
   * icmpv4_xrlim_allow): the global token bucket ({@code icmp_msgs_per_sec}, {@code
   * icmp_msgs_burst}) and one per destination ({@code icmp_ratelimit}, {@link PeerRateLimiter}).
   * Fragmentation-needed is never limited ("Don't limit PMTU discovery"), nor is an error to our
   * own address.
   */
  private boolean rateAllows(long now, int type, int code, Ipv4Address dst) {
    if (type >= 32 || ((settings.get(Sysctl.ICMP_RATEMASK) >> type) & 1) == 0) return true;
    if (type == IcmpType.DEST_UNREACHABLE && code == IcmpType.CODE_FRAGMENTATION_NEEDED) return true;
    if (dst.equals(ip.address())) return true;
    if (!bucket().tryTake(now)) {
      stats.inc(IcmpStat.OUT_RATE_LIMIT_GLOBAL);
      drops.drop(DropReason.ICMP_ERROR_RATE_LIMITED);
      return false;
    }
    if (!peers.allow(now, dst, settings.get(Sysctl.ICMP_RATELIMIT), (int) settings.get(Sysctl.INET_PEER_THRESHOLD))) {
      stats.inc(IcmpStat.OUT_RATE_LIMIT_HOST);
      drops.drop(DropReason.ICMP_ERROR_RATE_LIMITED);
      return false;
    }
    return true;
  }

  /** The global error rate limiter, rebuilt when its settings change at run time. */
  private TokenBucket bucket() {
    long rate = settings.get(Sysctl.ICMP_MSGS_PER_SEC), burst = settings.get(Sysctl.ICMP_MSGS_BURST);
    if (rate != bucketRate || burst != bucketBurst) {
      bucket = new TokenBucket(rate, (int) burst);
      bucketRate = rate;
      bucketBurst = burst;
    }
    return bucket;
  }

  private static boolean isErrorMessage(InboundDatagram about) {
    if (about.ip().protocol() != IpProtocol.ICMP) return false;
    ByteBuffer q = about.quote();
    int hl = (q.get(q.position()) & 0x0f) * 4;
    // Without the type byte we cannot tell; be safe and treat it as an error.
    return q.remaining() <= hl || IcmpType.isError(q.get(q.position() + hl) & 0xff);
  }

  private boolean send(long now, Ipv4Address dst, IcmpRepr m) {
    ByteBuffer b = ByteBuffer.allocate(m.bufferLen());
    m.emit(IcmpHeader.unchecked(b), b);
    boolean ok = ip.send(now, dst, IpProtocol.ICMP, b, false);
    if (ok) stats.inc(IcmpStat.OUT_MSGS);
    return ok;
  }
}
