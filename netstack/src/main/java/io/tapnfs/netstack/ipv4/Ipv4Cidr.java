package io.tapnfs.netstack.ipv4;

/** An address with a prefix length, {@code A.B.C.D/P} (RFC 4632). */
public record Ipv4Cidr(Ipv4Address address, int prefixLength) {
  public Ipv4Cidr {
    if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length " + prefixLength);
  }

  public static Ipv4Cidr parse(String s) {
    int slash = s.indexOf('/');
    if (slash < 0) throw new IllegalArgumentException("expected A.B.C.D/P, got: " + s);
    int p;
    try {
      p = Integer.parseInt(s.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length in: " + s);
    }
    if (p < 0 || p > 32) throw new IllegalArgumentException("bad prefix length in: " + s);
    return new Ipv4Cidr(Ipv4Address.parse(s.substring(0, slash)), p);
  }

  public int mask() { return prefixLength == 0 ? 0 : -1 << (32 - prefixLength); }

  public Ipv4Address network() { return new Ipv4Address(address.bits() & mask()); }

  /** The directed broadcast of this subnet; none for /31 and /32 (RFC 3021). */
  public Ipv4Address broadcast() { return new Ipv4Address(address.bits() | ~mask()); }

  public boolean contains(Ipv4Address a) { return ((a.bits() ^ address.bits()) & mask()) == 0; }

  public boolean isDirectedBroadcast(Ipv4Address a) {
    return prefixLength < 31 && a.equals(broadcast());
  }

  @Override public String toString() { return address + "/" + prefixLength; }
}
