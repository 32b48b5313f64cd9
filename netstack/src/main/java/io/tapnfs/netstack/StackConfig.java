package io.tapnfs.netstack;

import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.ipv4.Route;
import java.util.List;
import java.util.Map;

/**
 * What a stack is: its link-layer and IPv4 identity, routes, static neighbours, settings.
 * @param gateway the default gateway, or null for none; must be on-link
 * @param mtu the IP MTU of the link (1500 for Ethernet)
 * @param seed seeds the IP identification and ephemeral-port counters
 */
public record StackConfig(MacAddress mac, Ipv4Cidr address, Ipv4Address gateway, int mtu,
                          List<Route> staticRoutes, Map<Ipv4Address, MacAddress> staticArp,
                          StackSettings settings, long seed) {
  public StackConfig {
    if (!mac.isUnicast()) throw new IllegalArgumentException("MAC " + mac + " is not a unicast address");
    if (address.address().isUnspecified() || address.address().isMulticast() || address.address().isBroadcast()
        || address.address().isLoopback())
      throw new IllegalArgumentException(address + " cannot be a host address");
    if (gateway != null && !address.contains(gateway))
      throw new IllegalArgumentException("gateway " + gateway + " is not on-link (not in " + address + ")");
    if (mtu < 68 || mtu > 65535) throw new IllegalArgumentException("MTU must be between 68 and 65535, got " + mtu);
    staticRoutes = List.copyOf(staticRoutes);
    staticArp = Map.copyOf(staticArp);
  }

  public static StackConfig of(MacAddress mac, Ipv4Cidr address) {
    return new StackConfig(mac, address, null, 1500, List.of(), Map.of(), new StackSettings(), 1);
  }

  public StackConfig withGateway(Ipv4Address gw) {
    return new StackConfig(mac, address, gw, mtu, staticRoutes, staticArp, settings, seed);
  }

  public StackConfig withMtu(int m) {
    return new StackConfig(mac, address, gateway, m, staticRoutes, staticArp, settings, seed);
  }

  public StackConfig withSettings(StackSettings s) {
    return new StackConfig(mac, address, gateway, mtu, staticRoutes, staticArp, s, seed);
  }

  public StackConfig withStaticRoutes(List<Route> r) {
    return new StackConfig(mac, address, gateway, mtu, r, staticArp, settings, seed);
  }

  public StackConfig withStaticArp(Map<Ipv4Address, MacAddress> a) {
    return new StackConfig(mac, address, gateway, mtu, staticRoutes, a, settings, seed);
  }

  public StackConfig withSeed(long s) {
    return new StackConfig(mac, address, gateway, mtu, staticRoutes, staticArp, settings, s);
  }
}
