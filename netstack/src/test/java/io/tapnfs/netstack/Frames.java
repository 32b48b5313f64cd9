package io.tapnfs.netstack;

import io.tapnfs.netstack.arp.ArpOperation;
import io.tapnfs.netstack.arp.ArpPacket;
import io.tapnfs.netstack.arp.ArpRepr;
import io.tapnfs.netstack.ethernet.EthernetHeader;
import io.tapnfs.netstack.ethernet.EthernetRepr;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.icmp.IcmpHeader;
import io.tapnfs.netstack.icmp.IcmpRepr;
import io.tapnfs.netstack.ipv4.IpProtocol;
import io.tapnfs.netstack.ipv4.Ipv4Address;
import io.tapnfs.netstack.ipv4.Ipv4Header;
import io.tapnfs.netstack.ipv4.Ipv4Repr;
import io.tapnfs.netstack.udp.UdpRepr;
import java.nio.ByteBuffer;

/** Builders for test frames, as a peer on the wire would send them. */
public final class Frames {
  private Frames() {}

  public static ByteBuffer eth(MacAddress src, MacAddress dst, int type, ByteBuffer payload) {
    ByteBuffer b = ByteBuffer.allocate(EthernetHeader.LENGTH + payload.remaining());
    new EthernetRepr(src, dst, type).emit(EthernetHeader.unchecked(b));
    b.put(EthernetHeader.LENGTH, payload, payload.position(), payload.remaining());
    return b;
  }

  public static ByteBuffer arp(ArpOperation op, MacAddress sha, Ipv4Address spa, MacAddress tha, Ipv4Address tpa) {
    ByteBuffer b = ByteBuffer.allocate(ArpPacket.LENGTH);
    new ArpRepr(op, sha, spa, tha, tpa).emit(ArpPacket.unchecked(b));
    return b;
  }

  public static ByteBuffer ipv4(Ipv4Address src, Ipv4Address dst, int protocol, ByteBuffer payload) {
    return ipv4(Ipv4Repr.of(src, dst, protocol, payload.remaining(), 64, 0x1234, false), payload);
  }

  public static ByteBuffer ipv4(Ipv4Repr r, ByteBuffer payload) {
    ByteBuffer b = ByteBuffer.allocate(Ipv4Header.MIN_LEN + payload.remaining());
    r.emit(Ipv4Header.unchecked(b));
    b.put(Ipv4Header.MIN_LEN, payload, payload.position(), payload.remaining());
    return b;
  }

  public static ByteBuffer icmp(IcmpRepr m) {
    ByteBuffer b = ByteBuffer.allocate(m.bufferLen());
    m.emit(IcmpHeader.unchecked(b), b);
    return b;
  }

  public static ByteBuffer echoRequest(int id, int seq, int dataLen) {
    ByteBuffer data = ByteBuffer.allocate(dataLen);
    for (int i = 0; i < dataLen; i++) data.put(i, (byte) i);
    return icmp(IcmpRepr.echoRequest(id, seq, data));
  }

  public static ByteBuffer udp(Ipv4Address src, int sport, Ipv4Address dst, int dport, byte[] payload) {
    return UdpRepr.build(src, sport, dst, dport, ByteBuffer.wrap(payload));
  }

  public static ByteBuffer ipUdp(Ipv4Address src, int sport, Ipv4Address dst, int dport, byte[] payload) {
    return ipv4(src, dst, IpProtocol.UDP, udp(src, sport, dst, dport, payload));
  }

  public static ByteBuffer hex(String s) {
    s = s.replaceAll("\\s", "");
    ByteBuffer b = ByteBuffer.allocate(s.length() / 2);
    for (int i = 0; i < s.length(); i += 2) b.put(i / 2, (byte) Integer.parseInt(s.substring(i, i + 2), 16));
    return b;
  }

}
