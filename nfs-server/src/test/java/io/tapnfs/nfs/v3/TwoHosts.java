package io.tapnfs.nfs.v3;

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

/** Two threaded stacks on an in-memory cable: a client host A and a server host B (as in the rpc tests). */
final class TwoHosts implements AutoCloseable {
  static final Ipv4Address A_IP = Ipv4Address.parse("10.9.3.1"), B_IP = Ipv4Address.parse("10.9.3.2");
  final Stack a, b;

  TwoHosts() { this(Impairments.NONE, Impairments.NONE); }

  TwoHosts(Impairments aToB, Impairments bToA) {
    MemoryLink[] l = MemoryLink.pair("nfs-a", "nfs-b", 1514, Clock.SYSTEM, aToB, bToA);
    a = Stack.start(StackConfig.of(MacAddress.parse("02:00:00:00:0a:01"), new Ipv4Cidr(A_IP, 24)), l[0], Clock.SYSTEM);
    b = Stack.start(StackConfig.of(MacAddress.parse("02:00:00:00:0b:02"), new Ipv4Cidr(B_IP, 24)), l[1], Clock.SYSTEM);
  }

  static InetSocketAddress onB(int port) { return new InetSocketAddress(B_IP.toInet(), port); }

  @Override public void close() throws IOException {
    a.close();
    b.close();
  }
}
