package io.tapnfs.netstack;

import io.tapnfs.netstack.arp.ArpEntryView;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.ipv4.Route;
import io.tapnfs.netstack.udp.UdpEndpoint;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A consistent snapshot of a stack's counters and tables, taken on the event loop: what
 * {@code ip -s link}, {@code netstat -s}, {@code ip neigh}, {@code ip route} and {@code ss} show
 * on a kernel.
 *
 * @param protocols per protocol (ARP, IPv4, IPv4 reassembly, ICMP, UDP, TCP), counter name to value
 * @param drops every drop reason with its count, grouped by layer
 */
public record StackStats(String linkName, MacAddress mac, Ipv4Cidr address, Ipv4Address gateway, int mtu,
                         long uptimeMillis, Map<String, Long> link, Map<String, Map<String, Long>> protocols,
                         Map<Layer, Map<String, Long>> drops, List<ArpEntryView> arp, List<Route> routes,
                         List<SocketRow> sockets, Map<String, Long> settings, String capture) {

  /** One row of the socket table, like {@code ss -uan}. */
  public record SocketRow(String protocol, String local, String peer, String state, long recvQ, long sendQ, String info) {}

  static StackStats of(Nic n, String linkName, long now, long uptimeMillis, String capture) {
    StackConfig c = n.config();
    Map<String, Map<String, Long>> p = new LinkedHashMap<>();
    p.put("arp", n.arp().counters().snapshot());
    p.put("ipv4", n.ipv4().counters().snapshot());
    p.put("ipv4-reassembly", n.ipv4().reassembler().counters().snapshot());
    p.put("icmp", n.icmp().counters().snapshot());
    p.put("udp", n.udp().counters().snapshot());
    p.put("tcp", n.tcp().counters().snapshot());
    Map<Layer, Map<String, Long>> d = new EnumMap<>(Layer.class);
    for (DropReason r : DropReason.values())
      d.computeIfAbsent(r.layer(), k -> new LinkedHashMap<>()).put(r.mibName(), n.drops().get(r));
    List<SocketRow> sockets = new ArrayList<>();
    for (UdpEndpoint.Binding b : n.udp().bindings())
      sockets.add(new SocketRow("udp", c.address().address() + ":" + b.port(), "*:*", "UNCONN", b.queuedBytes(), 0, ""));
    for (var t : n.tcp().connections())
      sockets.add(new SocketRow("tcp", t.local(), t.remote(), t.state().toString(), t.recvQ(), t.sendQ(),
          t.state() == io.tapnfs.netstack.tcp.TcpState.LISTEN ? ""
              : (t.options().isEmpty() ? "" : t.options() + " ") + "rto:" + t.rtoMillis() + " rtt:" + t.srttMicros() / 1000.0
                  + " cwnd:" + t.cwnd() + " mss:" + t.mss() + " retrans:" + t.retrans()));
    return new StackStats(linkName, c.mac(), c.address(), c.gateway(), c.mtu(), uptimeMillis,
        n.linkCounters().snapshot(), p, d, n.arp().entries(now), n.routes().routes(), sockets,
        c.settings().snapshot(), capture);
  }

  /** One protocol counter, e.g. {@code counter("icmp", "inEchos")}. */
  public long counter(String protocol, String name) {
    Map<String, Long> m = protocols.get(protocol);
    Long v = m == null ? null : m.get(name);
    if (v == null) throw new IllegalArgumentException("no counter " + protocol + "." + name);
    return v;
  }

  public long drop(DropReason r) { return drops.get(r.layer()).get(r.mibName()); }

  public long link(String name) {
    Long v = link.get(name);
    if (v == null) throw new IllegalArgumentException("no link counter " + name);
    return v;
  }

  /** Human-readable report; zero drop counters are left out. */
  public String format() {
    StringBuilder s = new StringBuilder();
    s.append(linkName).append(": mtu ").append(mtu).append(" link/ether ").append(mac)
        .append(" inet ").append(address).append(gateway == null ? "" : " gateway " + gateway)
        .append(" up ").append(uptimeMillis / 1000).append("s\n");
    s.append(String.format("    RX: bytes %d packets %d errors %d dropped %d broadcast %d%n",
        link.get("rxBytes"), link.get("rxPackets"), link.get("rxErrors"), link.get("rxDropped"), link.get("rxBroadcast")));
    s.append(String.format("    TX: bytes %d packets %d errors %d dropped %d%n",
        link.get("txBytes"), link.get("txPackets"), link.get("txErrors"), link.get("txDropped")));
    s.append("\nCounters:\n");
    protocols.forEach((proto, m) -> {
      s.append(proto).append(":\n");
      m.forEach((k, v) -> s.append("    ").append(k).append(' ').append(v).append('\n'));
    });
    s.append("\nDrops:\n");
    boolean any = false;
    for (var e : drops.entrySet())
      for (var r : e.getValue().entrySet())
        if (r.getValue() != 0) { any = true; s.append("    ").append(r.getKey()).append(' ').append(r.getValue()).append('\n'); }
    if (!any) s.append("    (none)\n");
    s.append("\nARP table:\n");
    if (arp.isEmpty()) s.append("    (empty)\n");
    arp.forEach(a -> s.append("    ").append(a).append('\n'));
    s.append("\nRoutes:\n");
    routes.forEach(r -> s.append("    ").append(r).append('\n'));
    s.append("\nSockets:\n");
    s.append(String.format("    %-6s %-12s %8s %8s  %-22s %-22s %s%n", "Proto", "State", "Recv-Q", "Send-Q", "Local", "Peer", ""));
    sockets.forEach(k -> s.append(String.format("    %-6s %-12s %8d %8d  %-22s %-22s %s%n",
        k.protocol(), k.state(), k.recvQ(), k.sendQ(), k.local(), k.peer(), k.info()).stripTrailing()).append('\n'));
    s.append("\nCapture: ").append(capture).append('\n');
    return s.toString();
  }
}
