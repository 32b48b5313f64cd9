package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;

/**
 * Socket addresses as the stack understands them: it has one IPv4 address, so a local address
 * is either the wildcard (0.0.0.0 or ::) or that address; a remote address must be IPv4.
 */
final class NioAddresses {
  static final InetAddress ANY = Ipv4Address.ANY.toInet();

  private NioAddresses() {}

  /**
   * Checks a local address for bind (null: the wildcard and an ephemeral port).
   * @return the address to report as bound (0.0.0.0 for the wildcard) and the port asked for
   * @throws BindException for an address that is not the stack's
   */
  static InetSocketAddress local(SocketAddress a, Stack stack) throws BindException {
    if (a == null) return new InetSocketAddress(ANY, 0);
    InetSocketAddress isa = inet(a);
    InetAddress ip = isa.getAddress();
    if (ip.isAnyLocalAddress()) return new InetSocketAddress(ANY, isa.getPort());
    if (ip instanceof Inet4Address v4 && Ipv4Address.of(v4).equals(stack.config().address().address())) return isa;
    throw new BindException("Cannot assign requested address: " + ip.getHostAddress() + " (the stack's address is "
        + stack.config().address().address() + ")");
  }

  /** Checks a remote address for connect or send: IPv4, resolved, a port other than 0. */
  static InetSocketAddress remote(SocketAddress a) throws SocketException {
    InetSocketAddress isa = inet(Objects.requireNonNull(a, "remote address"));
    if (!(isa.getAddress() instanceof Inet4Address))
      throw new SocketException("Protocol family unavailable: the stack speaks IPv4 only, not " + isa);
    if (isa.getPort() == 0) throw new SocketException("Can't connect to port 0");
    return isa;
  }

  static Ipv4Address ip(InetSocketAddress isa) { return Ipv4Address.of((Inet4Address) isa.getAddress()); }

  static InetSocketAddress of(Ipv4Address ip, int port) { return new InetSocketAddress(ip.toInet(), port); }

  private static InetSocketAddress inet(SocketAddress a) {
    if (!(a instanceof InetSocketAddress isa)) throw new UnsupportedAddressTypeException();
    if (isa.isUnresolved()) throw new UnresolvedAddressException();
    return isa;
  }
}
