package io.tapnfs.nfs.mount;

import io.tapnfs.netstack.Clock;
import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.StackConfig;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.link.Impairments;
import io.tapnfs.netstack.link.MemoryLink;
import java.io.IOException;
import java.net.InetSocketAddress;

/** Two threaded stacks on an in-memory cable: a client host A and a server host B (from rpc's tests). */
final class TwoHosts implements AutoCloseable {
  static final Ipv4Address A_IP = Ipv4Address.parse("10.9.0.1"), B_IP = Ipv4Address.parse("10.9.0.2");
  final Stack a, b;

  TwoHosts() {
    MemoryLink[] l = MemoryLink.pair("mnt-a", "mnt-b", 1514, Clock.SYSTEM, Impairments.NONE, Impairments.NONE);
    a = Stack.start(StackConfig.of(MacAddress.parse("02:00:00:00:0a:01"), new Ipv4Cidr(A_IP, 24)), l[0], Clock.SYSTEM);
    b = Stack.start(StackConfig.of(MacAddress.parse("02:00:00:00:0b:02"), new Ipv4Cidr(B_IP, 24)), l[1], Clock.SYSTEM);
  }

  static InetSocketAddress onB(int port) { return new InetSocketAddress(B_IP.toInet(), port); }

  @Override public void close() throws IOException {
    a.close();
    b.close();
  }
}
