package io.tapnfs.nfs.mount;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Cidr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The client column of an exports(5) entry, in the three forms we take: a single IPv4 address,
 * an IPv4 network, and the anonymous {@code *}. Host names, netgroups ({@code @group}), host
 * wildcards ({@code *.example.com}), IPv6 and {@code gss/...} are refused by the parser: we
 * resolve no names.
 *
 * <p>{@link #precedence()} orders the kinds as exports(5) "Machine Name Formats" lists them
 * (single host, IP networks, wildcards, netgroups, anonymous): "If a client matches more than one
 * of the specifications above, then the first match from the above list order takes priority -
 * regardless of the order they appear on the export line. However, if a client matches more than
 * one of the same type of specification (e.g. two netgroups), then the first match from the order
 * they appear on the export line takes priority." {@link ExportRule#access} applies that rule.
 */
public sealed interface ClientMatch {
  boolean matches(InetAddress client);

  /** 0 single host, 1 network, 4 anonymous (exports(5) list order; 2, 3 are kinds we refuse). */
  int precedence();

  /** How exports(5) and the MOUNT EXPORT group list spell it: "10.0.0.1", "10.0.0.0/24", "*". */
  @Override String toString();

  /** One IPv4 address. */
  record Host(Ipv4Address address) implements ClientMatch {
    @Override public boolean matches(InetAddress client) {
      Ipv4Address a = ipv4(client);
      return a != null && a.equals(address);
    }

    @Override public int precedence() { return 0; }

    @Override public String toString() { return address.toString(); }
  }

  /** An IPv4 network, held with its host bits cleared. */
  record Network(Ipv4Cidr cidr) implements ClientMatch {
    public Network {
      cidr = new Ipv4Cidr(cidr.network(), cidr.prefixLength());
    }

    @Override public boolean matches(InetAddress client) {
      Ipv4Address a = ipv4(client);
      return a != null && cidr.contains(a);
    }

    @Override public int precedence() { return 1; }

    @Override public String toString() { return cidr.toString(); }
  }

  /** {@code *}: every client. */
  record Anyone() implements ClientMatch {
    @Override public boolean matches(InetAddress client) { return true; }

    @Override public int precedence() { return 4; }

    @Override public String toString() { return "*"; }
  }

  ClientMatch ANYONE = new Anyone();

  /** The IPv4 address of {@code a} (also from an IPv4-mapped IPv6 address), or null. */
  static Ipv4Address ipv4(InetAddress a) {
    if (a instanceof Inet4Address v4) return Ipv4Address.of(v4);
    if (a instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      for (int i = 0; i < 10; i++) if (b[i] != 0) return null;
      if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) return null;
      return Ipv4Address.of(b[12], b[13], b[14], b[15]);
    }
    return null;
  }
}
