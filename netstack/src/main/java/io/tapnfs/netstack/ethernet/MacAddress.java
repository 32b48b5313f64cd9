package io.tapnfs.netstack.ethernet;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.random.RandomGenerator;

/** A 48-bit IEEE 802 MAC address, held in the low 48 bits of a long. */
public record MacAddress(long bits) {
  public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);
  public static final MacAddress ZERO = new MacAddress(0);

  public MacAddress {
    if ((bits & ~0xffff_ffff_ffffL) != 0) throw new IllegalArgumentException("not 48 bits");
  }

  /** Reads six bytes at absolute {@code offset}. */
  public static MacAddress read(ByteBuffer b, int offset) {
    long v = 0;
    for (int i = 0; i < 6; i++) v = (v << 8) | (b.get(offset + i) & 0xff);
    return new MacAddress(v);
  }

  public void write(ByteBuffer b, int offset) {
    for (int i = 0; i < 6; i++) b.put(offset + i, (byte) (bits >>> (40 - 8 * i)));
  }

  /** Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes). */
  public static MacAddress parse(String s) {
    String[] p = s.trim().split("[:-]");
    if (p.length != 6) throw new IllegalArgumentException("bad MAC address: " + s);
    long v = 0;
    for (String x : p) {
      if (x.isEmpty() || x.length() > 2) throw new IllegalArgumentException("bad MAC address: " + s);
      v = (v << 8) | Integer.parseInt(x, 16);
    }
    return new MacAddress(v);
  }

  /** A random unicast, locally administered address (IEEE 802: bit 1 of octet 0 set, bit 0 clear). */
  public static MacAddress randomLocal(RandomGenerator rnd) {
    long v = rnd.nextLong() & 0xffff_ffff_ffffL;
    v = (v & ~(0x01L << 40)) | (0x02L << 40);
    return new MacAddress(v);
  }

  public boolean isBroadcast() { return bits == BROADCAST.bits; }

  /** Group bit (I/G) set: multicast or broadcast. */
  public boolean isMulticast() { return (bits & (0x01L << 40)) != 0; }

  public boolean isUnicast() { return !isMulticast() && bits != 0; }

  @Override public String toString() {
    StringBuilder sb = new StringBuilder(17);
    for (int i = 0; i < 6; i++) {
      if (i > 0) sb.append(':');
      sb.append(String.format(Locale.ROOT, "%02x", (bits >>> (40 - 8 * i)) & 0xff));
    }
    return sb.toString();
  }
}
