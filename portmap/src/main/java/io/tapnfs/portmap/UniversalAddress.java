package io.tapnfs.portmap;

import java.net.Inet4Address;
import java.util.Optional;

/**
 * An IPv4 transport address in universal form (RFC 1833 §2.1 {@code r_addr}; the format is
 * spelled out in RFC 3530 §2.2 and RFC 5665): the US-ASCII string
 * {@code h1.h2.h3.h4.p1.p2}, the four address octets then the port's high and low octets, each in
 * decimal. Port 2049 on 10.0.0.2 is {@code "10.0.0.2.8.1"}.
 *
 * @param ipv4 the address, big-endian in an int (10.0.0.2 is 0x0a000002)
 * @param port 0..65535
 */
public record UniversalAddress(int ipv4, int port) {
  /** Longest valid form: "255.255.255.255.255.255". */
  public static final int MAX_LEN = 23;

  public UniversalAddress {
    if (port < 0 || port > 0xffff) throw new IllegalArgumentException("port " + port);
  }

  public static UniversalAddress of(Inet4Address address, int port) {
    byte[] a = address.getAddress();
    return new UniversalAddress(
        (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | a[3] & 0xff, port);
  }

  /**
   * Parses untrusted text strictly: exactly six dot-separated decimal fields of one to three
   * ASCII digits, each at most 255; no signs, blanks or empty fields. Empty when malformed
   * (including IPv6 universal addresses, which we do not serve).
   */
  public static Optional<UniversalAddress> parse(String s) {
    int[] f = fields(s, 6);
    if (f == null) return Optional.empty();
    return Optional.of(new UniversalAddress(f[0] << 24 | f[1] << 16 | f[2] << 8 | f[3],
        f[4] << 8 | f[5]));
  }

  /**
   * Parses a dotted-quad IPv4 address ("10.0.0.2") strictly, never resolving a name (unlike
   * {@code InetAddress.getByName}); empty when malformed. Returns the address as a big-endian int.
   */
  public static Optional<Integer> parseDottedQuad(String s) {
    int[] f = fields(s, 4);
    if (f == null) return Optional.empty();
    return Optional.of(f[0] << 24 | f[1] << 16 | f[2] << 8 | f[3]);
  }

  /** {@code n} dot-separated decimal octets, or null. */
  private static int[] fields(String s, int n) {
    if (s == null || s.length() > 4 * n - 1) return null;
    int[] out = new int[n];
    int field = 0, digits = 0, value = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c == '.') {
        if (digits == 0 || field == n) return null;
        out[field++] = value;
        digits = 0;
        value = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        value = value * 10 + (c - '0');
        digits++;
        if (value > 255) return null;
      } else {
        return null;
      }
    }
    return field == n ? out : null;
  }

  /** The address octets in network order. */
  public byte[] addressBytes() {
    return new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8),
        (byte) ipv4};
  }

  /** {@code h1.h2.h3.h4.p1.p2}. */
  @Override
  public String toString() {
    return (ipv4 >>> 24) + "." + (ipv4 >>> 16 & 0xff) + "." + (ipv4 >>> 8 & 0xff) + "."
        + (ipv4 & 0xff) + "." + (port >>> 8) + "." + (port & 0xff);
  }
}
