package io.tapnfs.portmap;

import io.tapnfs.portmap.xdr.Mapping;
import io.tapnfs.portmap.xdr.RpcbEntry;
import java.util.Locale;

/**
 * The two network ids we serve, with their netconfig(5) facts and PMAP protocol numbers. The
 * stack is IPv4 only: "tcp6"/"udp6" (RFC 5665) are never registered, so lookups for them miss.
 */
public enum Netid {
  TCP("tcp", Mapping.IPPROTO_TCP, RpcbEntry.NC_TPI_COTS_ORD),
  UDP("udp", Mapping.IPPROTO_UDP, RpcbEntry.NC_TPI_CLTS);

  /** netconfig(5) protocol family of both: "inet" (IPv4). */
  public static final String PROTOFMLY = "inet";

  private final String netid;
  private final int ipproto;
  private final int semantics;

  Netid(String netid, int ipproto, int semantics) {
    this.netid = netid;
    this.ipproto = ipproto;
    this.semantics = semantics;
  }

  /** RFC 5665 netid: "tcp" or "udp". */
  public String netid() {
    return netid;
  }

  /** IP protocol number, the {@code prot} of a PMAP v2 mapping (RFC 1833 §3.1). */
  public int ipproto() {
    return ipproto;
  }

  /** netconfig(5) {@code nc_semantics}. */
  public int semantics() {
    return semantics;
  }

  /**
   * The netid named {@code name}, ignoring ASCII case as Linux rpcbind does ({@code strcasecmp}
   * in {@code find_service}); {@code null} for anything else (including null).
   */
  public static Netid of(String name) {
    if (name == null) return null;
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "tcp" -> TCP;
      case "udp" -> UDP;
      default -> null;
    };
  }

  /** The netid of IP protocol {@code prot} (6 or 17); {@code null} for any other. */
  public static Netid ofProtocol(int prot) {
    return switch (prot) {
      case Mapping.IPPROTO_TCP -> TCP;
      case Mapping.IPPROTO_UDP -> UDP;
      default -> null;
    };
  }

  @Override
  public String toString() {
    return netid;
  }
}
