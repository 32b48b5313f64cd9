package io.tapnfs.netstack.ipv4;

import java.util.Objects;

/**
 * One route (RFC 1122 §3.3.1.1 "route table"; RFC 1812 §5.2.4 for longest match and metrics).
 *
 * @param destination normalised to its network address: {@code 10.0.0.7/24} becomes {@code 10.0.0.0/24}
 * @param gateway the first hop; {@link Ipv4Address#ANY} (or null) when the destination is on-link
 * @param metric lower is preferred among routes of the same prefix length
 */
public record Route(Ipv4Cidr destination, Ipv4Address gateway, Kind kind, int metric) {
  public enum Kind {
    /** The subnet of our own address; never has a gateway. */
    CONNECTED,
    /** Configured, or learnt from an ICMP redirect. */
    STATIC,
    /** The default route, normally {@code 0.0.0.0/0 via} the configured gateway. */
    DEFAULT_GATEWAY
  }

  public Route {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(kind, "kind");
    if (gateway == null) gateway = Ipv4Address.ANY;
    if (metric < 0) throw new IllegalArgumentException("negative metric " + metric);
    if (kind == Kind.CONNECTED && !gateway.isUnspecified())
      throw new IllegalArgumentException("connected route " + destination + " with gateway " + gateway);
    if (!destination.address().equals(destination.network()))
      destination = new Ipv4Cidr(destination.network(), destination.prefixLength());
  }

  public boolean isDirect() { return gateway.isUnspecified(); }

  /** Where to send a datagram for {@code dst}: the gateway, or {@code dst} itself when on-link. */
  public Ipv4Address nextHop(Ipv4Address dst) { return isDirect() ? dst : gateway; }

  /** Like {@code ip route}: {@code 10.0.0.0/24 connected metric 0}, {@code default via 10.0.0.1 metric 0}. */
  @Override public String toString() {
    StringBuilder s = new StringBuilder(destination.prefixLength() == 0 ? "default" : destination.toString());
    if (!isDirect()) s.append(" via ").append(gateway);
    if (kind == Kind.CONNECTED) s.append(" connected");
    else if (kind == Kind.STATIC) s.append(" static");
    return s.append(" metric ").append(metric).toString();
  }
}
