package io.tapnfs.netstack.arp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;

/**
 * ARP packet view for Ethernet/IPv4 (RFC 826, "Packet format").
 * <pre>
 *  0       2       4   5   6       8            14       18           24       28
 * | htype | ptype |hln|pln| oper  | sender MAC | sender IP| target MAC | target IP|
 * </pre>
 */
public final class ArpPacket {
  public static final int HTYPE = 0, PTYPE = 2, HLEN = 4, PLEN = 5, OPER = 6;
  public static final int SHA = 8, SPA = 14, THA = 18, TPA = 24, LENGTH = 28;
  public static final int HTYPE_ETHERNET = 1;

  private final ByteBuffer b;
  private final int o;

  private ArpPacket(ByteBuffer b) { this.b = b; this.o = b.position(); }

  public static ArpPacket unchecked(ByteBuffer b) { return new ArpPacket(b); }

  public static ArpPacket checked(ByteBuffer b) throws Malformed {
    if (b.remaining() < LENGTH) throw Malformed.of(DropReason.ARP_TRUNCATED);
    return new ArpPacket(b);
  }

  public int htype() { return b.getShort(o + HTYPE) & 0xffff; }
  public int ptype() { return b.getShort(o + PTYPE) & 0xffff; }
  public int hlen() { return b.get(o + HLEN) & 0xff; }
  public int plen() { return b.get(o + PLEN) & 0xff; }
  public int oper() { return b.getShort(o + OPER) & 0xffff; }
  public MacAddress sha() { return MacAddress.read(b, o + SHA); }
  public Ipv4Address spa() { return Ipv4Address.read(b, o + SPA); }
  public MacAddress tha() { return MacAddress.read(b, o + THA); }
  public Ipv4Address tpa() { return Ipv4Address.read(b, o + TPA); }

  void setFixed(int oper) {
    b.putShort(o + HTYPE, (short) HTYPE_ETHERNET);
    b.putShort(o + PTYPE, (short) 0x0800);
    b.put(o + HLEN, (byte) 6);
    b.put(o + PLEN, (byte) 4);
    b.putShort(o + OPER, (short) oper);
  }

  void setAddresses(MacAddress sha, Ipv4Address spa, MacAddress tha, Ipv4Address tpa) {
    sha.write(b, o + SHA);
    spa.write(b, o + SPA);
    tha.write(b, o + THA);
    tpa.write(b, o + TPA);
  }
}
