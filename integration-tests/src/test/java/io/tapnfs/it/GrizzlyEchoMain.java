package io.tapnfs.it;

import io.tapnfs.netstack.Clock;
import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.StackConfig;
import io.tapnfs.netstack.StackSettings;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import io.tapnfs.netstack.link.TapDevice;
import io.tapnfs.netstack.socket.StackSelectorProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.nio.transport.UDPNIOTransport;
import org.glassfish.grizzly.nio.transport.UDPNIOTransportBuilder;

/**
 * Grizzly TCP and UDP echo servers on the stack, for {@link GrizzlyEchoIT}: opens the TAP the way
 * {@code tapnfs serve} does, runs the stack, serves echo on one port over both protocols through
 * {@link StackSelectorProvider}, prints "tapnfs: ready" and runs until SIGTERM.
 *
 * <p>Arguments: {@code --tap NAME --ip A.B.C.D/P --port N}.
 */
public final class GrizzlyEchoMain {
  private GrizzlyEchoMain() {}

  /** Echoes every message back to where it came from (the peer address matters for UDP). */
  static final class Echo extends BaseFilter {
    @Override public NextAction handleRead(FilterChainContext ctx) throws IOException {
      ctx.write(ctx.getAddress(), ctx.getMessage(), null);
      return ctx.getStopAction();
    }
  }

  public static void main(String[] args) throws Exception {
    String tap = "tn0", ip = "10.77.0.2/24";
    int port = 7007, mtu = 1500;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--tap" -> tap = args[i + 1];
        case "--ip" -> ip = args[i + 1];
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    TapDevice dev = TapDevice.open(tap, mtu, true);      // segmentation offload, as tapnfs serve
    dev.setMtu(mtu);
    MacAddress kernelMac = dev.kernelMac();
    MacAddress mac;
    SecureRandom rnd = new SecureRandom();
    do { mac = MacAddress.randomLocal(rnd); } while (mac.equals(kernelMac));
    StackConfig config = new StackConfig(mac, Ipv4Cidr.parse(ip), null, mtu, List.of(), Map.of(), new StackSettings(), rnd.nextLong());
    dev.setUp(true);
    Stack stack = Stack.start(config, dev, Clock.SYSTEM);
    StackSelectorProvider provider = new StackSelectorProvider(stack);

    TCPNIOTransport tcp = TCPNIOTransportBuilder.newInstance().setSelectorProvider(provider).build();
    tcp.setProcessor(FilterChainBuilder.stateless().add(new TransportFilter()).add(new Echo()).build());
    tcp.bind(new InetSocketAddress(port));
    tcp.start();
    UDPNIOTransport udp = UDPNIOTransportBuilder.newInstance().setSelectorProvider(provider).build();
    udp.setProcessor(FilterChainBuilder.stateless().add(new TransportFilter()).add(new Echo()).build());
    udp.bind(new InetSocketAddress(port));
    udp.start();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        tcp.shutdownNow();
        udp.shutdownNow();
        stack.close();
        dev.setUp(false);
        dev.close();
      } catch (IOException | RuntimeException e) {
        System.err.println("tapnfs: stopping: " + e);
      }
      System.out.println("tapnfs: stopped");
      System.out.flush();
      stopped.countDown();
    }, "grizzly-echo-shutdown"));
    System.out.printf("tapnfs: %s up, %s, grizzly echo on tcp and udp port %d%n", dev.name(), config.address(), port);
    System.out.println("tapnfs: ready");
    System.out.flush();
    stopped.await();
  }
}
