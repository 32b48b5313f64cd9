package io.tapnfs.rpc;

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

/**
 * Two threaded stacks on an in-memory cable: a client host A and a server host B. Shared with the
 * modules above through this module's test jar.
 */
public final class TwoHosts implements AutoCloseable {
  public static final Ipv4Address A_IP = Ipv4Address.parse("10.9.0.1"), B_IP = Ipv4Address.parse("10.9.0.2");
  public final Stack a, b;

  public TwoHosts() { this(Impairments.NONE, Impairments.NONE); }

  public TwoHosts(Impairments aToB, Impairments bToA) {
    MemoryLink[] l = MemoryLink.pair("rpc-a", "rpc-b", 1514, Clock.SYSTEM, aToB, bToA);
    a = Stack.start(StackConfig.of(MacAddress.parse("02:00:00:00:0a:01"), new Ipv4Cidr(A_IP, 24)), l[0], Clock.SYSTEM);
    b = Stack.start(StackConfig.of(MacAddress.parse("02:00:00:00:0b:02"), new Ipv4Cidr(B_IP, 24)), l[1], Clock.SYSTEM);
  }

  public static InetSocketAddress onB(int port) { return new InetSocketAddress(B_IP.toInet(), port); }

  @Override public void close() throws IOException {
    a.close();
    b.close();
  }
}
