package io.tapnfs.netstack.arp;

import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;

/** One row of the ARP table, as {@code ip neigh} shows it. {@code mac} is null while INCOMPLETE. */
public record ArpEntryView(Ipv4Address ip, MacAddress mac, ArpState state, long ageMillis, int queued) {
  @Override public String toString() {
    return ip + " lladdr " + (mac == null ? "(none)" : mac) + " " + state + " age " + ageMillis + "ms"
        + (queued > 0 ? " queued " + queued : "");
  }
}
