package io.tapnfs.netstack;

import io.tapnfs.netstack.arp.ArpCache;
import io.tapnfs.netstack.arp.ArpPacket;
import io.tapnfs.netstack.arp.ArpRepr;
import io.tapnfs.netstack.ethernet.EtherType;
import io.tapnfs.netstack.ethernet.EthernetHeader;
import io.tapnfs.netstack.ethernet.EthernetOutput;
import io.tapnfs.netstack.ethernet.EthernetRepr;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.icmp.IcmpEndpoint;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.ipv4.Ipv4Endpoint;
import io.tapnfs.netstack.ipv4.Ipv4Output;
import io.tapnfs.netstack.ipv4.Route;
import io.tapnfs.netstack.ipv4.RouteTable;
import io.tapnfs.netstack.link.FrameSink;
import io.tapnfs.netstack.link.LinkStat;
import io.tapnfs.netstack.tcp.IsnGenerator;
import io.tapnfs.netstack.tcp.TcpEndpoint;
import io.tapnfs.netstack.udp.UdpEndpoint;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * One network interface and the protocols above it: the pure core of the stack (no I/O, no
 * clock: {@code now} comes in, frames go out through a {@link FrameSink}). Ethernet is handled
 * here; it dispatches by EtherType to ARP and IPv4, which dispatches by protocol to ICMP, UDP
 * and TCP.
 *
 * <p>Event-loop thread only.
 */
public final class Nic {
  /** IEEE 802.3 minimum frame without FCS; shorter frames are padded with zeros. */
  static final int MIN_FRAME = 60;

  private final StackConfig config;
  private final FrameSink sink;
  private final Counters<LinkStat> link = new Counters<>(LinkStat.class);
  private final Counters<DropReason> drops = new Counters<>(DropReason.class);
  private final ByteBuffer tx;
  private final int gsoMaxFrame;                // 0: the link takes no frame beyond the MTU
  private final ArpCache arp;
  private final Ipv4Endpoint ipv4;
  private final IcmpEndpoint icmp;
  private final UdpEndpoint udp;
  private final TcpEndpoint tcp;
  private final RouteTable routes = new RouteTable();

  public Nic(StackConfig config, TimerWheel wheel, FrameSink sink) {
    this.config = config;
    this.sink = sink;
    // a frame the link cuts into segments (segmentation offload) may be larger than the MTU
    this.gsoMaxFrame = sink.gsoMaxSize() > EthernetHeader.LENGTH + config.mtu() ? sink.gsoMaxSize() : 0;
    this.tx = ByteBuffer.allocateDirect(Math.max(EthernetHeader.LENGTH + config.mtu(), gsoMaxFrame));
    DropCounter dc = drops::inc;
    Ipv4Cidr a = config.address();
    routes.add(new Route(new Ipv4Cidr(a.network(), a.prefixLength()), Ipv4Address.ANY, Route.Kind.CONNECTED, 0));
    if (config.gateway() != null)
      routes.add(new Route(new Ipv4Cidr(Ipv4Address.ANY, 0), config.gateway(), Route.Kind.DEFAULT_GATEWAY, 0));
    for (Route r : config.staticRoutes()) routes.add(r);
    this.arp = new ArpCache(config.settings(), config.mac(), a.address(), new EthernetOutput() {
      @Override public void send(MacAddress dst, int etherType, ByteBuffer payload) { sendFrame(dst, etherType, payload, 0); }
      @Override public void sendGso(MacAddress dst, ByteBuffer datagram, int mss) { sendFrame(dst, EtherType.IPV4, datagram, mss); }
    }, dc, wheel);
    this.ipv4 = new Ipv4Endpoint(config.settings(), a, config.mtu(), routes, new Ipv4Output() {
      @Override public void output(long now, Ipv4Address nextHop, ByteBuffer datagram) { Nic.this.output(now, nextHop, datagram, 0); }
      @Override public int gsoMaxSize() { return gsoMaxFrame == 0 ? 0 : gsoMaxFrame - EthernetHeader.LENGTH; }
      @Override public void outputGso(long now, Ipv4Address nextHop, ByteBuffer datagram, int mss) {
        Nic.this.output(now, nextHop, datagram, mss);
      }
    }, dc, wheel, (int) (config.seed() * 0x9E3779B9L));
    this.icmp = new IcmpEndpoint(config.settings(), ipv4, dc);
    this.udp = new UdpEndpoint(ipv4, icmp, dc, (int) (config.seed() >>> 7));
    this.tcp = new TcpEndpoint(ipv4, config.settings(), dc, IsnGenerator.random(), wheel);
    ipv4.register(icmp);
    ipv4.register(udp);
    ipv4.register(tcp);
    ipv4.setErrorSink(icmp);
    icmp.onTransportError(tcp::icmpError);
    for (Map.Entry<Ipv4Address, MacAddress> e : config.staticArp().entrySet()) arp.addStatic(0, e.getKey(), e.getValue());
  }

  /** Sends the gratuitous ARP announcements; call once when the link comes up. */
  public void start(long now) { arp.startAnnouncements(now); }

  public StackConfig config() { return config; }
  public ArpCache arp() { return arp; }
  public Ipv4Endpoint ipv4() { return ipv4; }
  public IcmpEndpoint icmp() { return icmp; }
  public UdpEndpoint udp() { return udp; }
  public TcpEndpoint tcp() { return tcp; }
  public RouteTable routes() { return routes; }
  public Counters<LinkStat> linkCounters() { return link; }
  public Counters<DropReason> drops() { return drops; }

  /** Counts a frame the link could not deliver to us (read error). */
  public void rxError() { link.inc(LinkStat.RX_ERRORS); drops.inc(DropReason.LINK_RX_ERROR); }

  /** Counts a frame the link refused. */
  public void txError() { link.inc(LinkStat.TX_ERRORS); drops.inc(DropReason.LINK_TX_ERROR); }

  /** Counts a frame the link dropped for lack of room. */
  public void txDropped() { link.inc(LinkStat.TX_DROPPED); }

  /** Handles one received Ethernet frame ({@code position..limit}). */
  public void receive(long now, ByteBuffer frame) {
    link.inc(LinkStat.RX_PACKETS);
    link.add(LinkStat.RX_BYTES, frame.remaining());
    if (frame.remaining() > EthernetHeader.LENGTH + config.mtu()) { rxDrop(DropReason.ETH_OVERSIZED); return; }
    EthernetRepr eth;
    EthernetHeader h;
    try {
      h = EthernetHeader.checked(frame);
      eth = EthernetRepr.parse(h);
    } catch (Malformed m) {
      rxDrop(m.reason());
      return;
    }
    boolean broadcast = eth.dst().isBroadcast();
    if (broadcast) link.inc(LinkStat.RX_BROADCAST);
    if (!broadcast && !eth.dst().equals(config.mac())) { rxDrop(DropReason.ETH_NOT_FOR_US); return; }
    if (eth.src().equals(config.mac())) { rxDrop(DropReason.ETH_SOURCE_IS_OURS); return; }
    switch (eth.etherType()) {
      case EtherType.IPV4 -> ipv4.receive(now, h.payload(), broadcast);
      case EtherType.ARP -> {
        try {
          arp.receive(now, ArpRepr.parse(ArpPacket.checked(h.payload())));
        } catch (Malformed m) {
          drops.inc(m.reason());
        }
      }
      default -> rxDrop(DropReason.ETH_UNKNOWN_ETHERTYPE);
    }
  }

  private void rxDrop(DropReason r) {
    link.inc(LinkStat.RX_DROPPED);
    drops.inc(r);
  }

  /**
   * IPv4's output: broadcasts and multicasts map straight to a MAC; unicasts go through ARP.
   * {@code gsoMss} > 0: a TCP datagram for the link to cut into segments of that many bytes.
   */
  private void output(long now, Ipv4Address nextHop, ByteBuffer datagram, int gsoMss) {
    if (nextHop.isBroadcast() || config.address().isDirectedBroadcast(nextHop)) {
      sendFrame(MacAddress.BROADCAST, EtherType.IPV4, datagram, gsoMss);
    } else if (nextHop.isMulticast()) {
      // RFC 1112 §6.4: 01-00-5E-00-00-00 plus the low 23 bits of the group address.
      sendFrame(new MacAddress(0x01005e000000L | (nextHop.bits() & 0x7fffff)), EtherType.IPV4, datagram, gsoMss);
    } else {
      arp.send(now, nextHop, datagram, gsoMss);
    }
  }

  /**
   * Frames a payload into the reused transmit buffer and hands it to the sink, for segmentation
   * by the link when {@code gsoMss} > 0.
   */
  private void sendFrame(MacAddress dst, int etherType, ByteBuffer payload, int gsoMss) {
    tx.clear();
    new EthernetRepr(config.mac(), dst, etherType).emit(EthernetHeader.unchecked(tx));
    tx.position(EthernetHeader.LENGTH);
    tx.put(payload.duplicate());
    while (tx.position() < MIN_FRAME) tx.put((byte) 0);
    tx.flip();
    link.inc(LinkStat.TX_PACKETS);
    link.add(LinkStat.TX_BYTES, tx.remaining());
    if (gsoMss > 0) sink.transmitGso(tx, gsoMss); else sink.transmit(tx);
  }
}
