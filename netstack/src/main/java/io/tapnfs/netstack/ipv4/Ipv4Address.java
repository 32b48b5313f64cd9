package io.tapnfs.netstack.ipv4;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** An IPv4 address (RFC 791), held as an int in network order. */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {
  public static final Ipv4Address ANY = new Ipv4Address(0);
  public static final Ipv4Address BROADCAST = new Ipv4Address(-1);

  public static Ipv4Address read(ByteBuffer b, int offset) { return new Ipv4Address(b.getInt(offset)); }

  public void write(ByteBuffer b, int offset) { b.putInt(offset, bits); }

  public static Ipv4Address of(int a, int b, int c, int d) {
    return new Ipv4Address((a & 0xff) << 24 | (b & 0xff) << 16 | (c & 0xff) << 8 | (d & 0xff));
  }

  /** Parses dotted-quad notation strictly: four decimal octets 0..255. */
  public static Ipv4Address parse(String s) {
    String[] p = s.trim().split("\\.", -1);
    if (p.length != 4) throw new IllegalArgumentException("bad IPv4 address: " + s);
    int v = 0;
    for (String x : p) {
      if (x.isEmpty() || x.length() > 3 || !x.chars().allMatch(Character::isDigit))
        throw new IllegalArgumentException("bad IPv4 address: " + s);
      int o = Integer.parseInt(x);
      if (o > 255) throw new IllegalArgumentException("bad IPv4 address: " + s);
      v = v << 8 | o;
    }
    return new Ipv4Address(v);
  }

  public static Ipv4Address of(Inet4Address a) {
    return new Ipv4Address(ByteBuffer.wrap(a.getAddress()).getInt());
  }

  public Inet4Address toInet() {
    try {
      return (Inet4Address) InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(bits).array());
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  public boolean isUnspecified() { return bits == 0; }
  public boolean isBroadcast() { return bits == -1; }
  /** 224.0.0.0/4 (RFC 5771). */
  public boolean isMulticast() { return (bits & 0xf0000000) == 0xe0000000; }
  /** 127.0.0.0/8 (RFC 1122 §3.2.1.3 (g)). */
  public boolean isLoopback() { return (bits >>> 24) == 127; }
  /** 240.0.0.0/4, reserved (RFC 1112 class E), except the limited broadcast. */
  public boolean isReserved() { return (bits & 0xf0000000) == 0xf0000000 && bits != -1; }
  /** 0.0.0.0/8, "this network" (RFC 1122 §3.2.1.3 (a,b)). */
  public boolean isThisNetwork() { return (bits >>> 24) == 0; }

  @Override public int compareTo(Ipv4Address o) { return Integer.compareUnsigned(bits, o.bits); }

  @Override public String toString() {
    return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
  }
}
