package io.tapnfs.netstack.udp;

import io.tapnfs.netstack.Counters;
import io.tapnfs.netstack.DropCounter;
import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.icmp.IcmpType;
import io.tapnfs.netstack.ipv4.ErrorSink;
import io.tapnfs.netstack.ipv4.InboundDatagram;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Endpoint;
import io.tapnfs.netstack.ipv4.TransportProtocol;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * UDP (RFC 768, RFC 1122 §4.1): a port table, demultiplexing, checksums, port-unreachable errors.
 * Event-loop thread only; the sockets' queues are the hand-off to application threads.
 */
public final class UdpEndpoint implements TransportProtocol {
  /** Linux's default ip_local_port_range. */
  public static final int EPHEMERAL_FIRST = 32768, EPHEMERAL_LAST = 60999;

  /** One row of the socket table. */
  public record Binding(int port, long queuedBytes) {}

  private final Ipv4Endpoint ip;
  private final ErrorSink errors;
  private final DropCounter drops;
  private final Map<Integer, UdpReceiver> ports = new TreeMap<>();
  private final Counters<UdpStat> stats = new Counters<>(UdpStat.class);
  private int nextEphemeral;

  public UdpEndpoint(Ipv4Endpoint ip, ErrorSink errors, DropCounter drops, int ephemeralSeed) {
    this.ip = ip;
    this.errors = errors;
    this.drops = drops;
    this.nextEphemeral = EPHEMERAL_FIRST + Math.floorMod(ephemeralSeed, EPHEMERAL_LAST - EPHEMERAL_FIRST + 1);
  }

  @Override public int protocolNumber() { return IpProtocol.UDP; }

  public Counters<UdpStat> counters() { return stats; }

  /** Binds a port (0 picks a free ephemeral one). @return the port bound */
  public int bind(int port, UdpReceiver r) throws BindException {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port);
    if (port == 0) port = ephemeral();
    if (ports.putIfAbsent(port, r) != null) throw new BindException("UDP port " + port + ": Address already in use");
    return port;
  }

  public void unbind(int port, UdpReceiver r) { ports.remove(port, r); }

  private int ephemeral() throws BindException {
    int span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    for (int i = 0; i < span; i++) {
      int p = nextEphemeral;
      nextEphemeral = p == EPHEMERAL_LAST ? EPHEMERAL_FIRST : p + 1;
      if (!ports.containsKey(p)) return p;
    }
    throw new BindException("no free UDP ephemeral port");
  }

  public List<Binding> bindings() {
    List<Binding> l = new ArrayList<>();
    ports.forEach((p, r) -> l.add(new Binding(p, r.queuedBytes())));
    return l;
  }

  @Override
  public void deliver(long now, InboundDatagram d) {
    UdpRepr u;
    ByteBuffer payload;
    try {
      UdpHeader h = UdpHeader.checked(d.payload());
      u = UdpRepr.parse(h, d.ip().src(), d.ip().dst(), true);
      payload = h.payload();
    } catch (Malformed m) {
      stats.inc(UdpStat.IN_ERRORS);
      if (m.reason() == DropReason.UDP_BAD_CHECKSUM) stats.inc(UdpStat.IN_CSUM_ERRORS);
      drops.drop(m.reason());
      return;
    }
    UdpReceiver r = ports.get(u.dstPort());
    if (r == null) {
      stats.inc(UdpStat.NO_PORTS);
      drops.drop(DropReason.UDP_NO_PORT);
      // RFC 1122 §4.1.3.1: "If a datagram arrives addressed to a UDP port for which there is no
      // pending LISTEN call, UDP SHOULD send an ICMP Port Unreachable message."
      errors.sendError(now, IcmpType.DEST_UNREACHABLE, IcmpType.CODE_PORT_UNREACHABLE, 0, d);
      return;
    }
    if (!r.offer(d.ip().src(), u.srcPort(), d.ip().dst(), payload)) {
      stats.inc(UdpStat.RCVBUF_ERRORS);
      drops.drop(DropReason.UDP_RECEIVE_QUEUE_FULL);
      return;
    }
    stats.inc(UdpStat.IN_DATAGRAMS);
  }

  /** Sends one datagram from our address. @return whether IP took it */
  public boolean send(long now, int srcPort, Ipv4Address dst, int dstPort, ByteBuffer payload) {
    if (payload.remaining() > UdpRepr.MAX_PAYLOAD) {
      stats.inc(UdpStat.OUT_ERRORS);
      drops.drop(DropReason.UDP_PAYLOAD_TOO_LARGE);
      return false;
    }
    ByteBuffer dgram = UdpRepr.build(ip.address(), srcPort, dst, dstPort, payload);
    boolean ok = ip.send(now, dst, IpProtocol.UDP, dgram, false);
    stats.inc(ok ? UdpStat.OUT_DATAGRAMS : UdpStat.OUT_ERRORS);
    return ok;
  }
}
