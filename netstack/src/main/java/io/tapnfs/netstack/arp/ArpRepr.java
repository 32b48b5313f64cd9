package io.tapnfs.netstack.arp;

import io.tapnfs.netstack.DropReason;
import io.tapnfs.netstack.Malformed;
import io.tapnfs.netstack.ethernet.EtherType;
import io.tapnfs.netstack.ethernet.MacAddress;
import io.tapnfs.netstack.ipv4.Ipv4Address;

/** A parsed Ethernet/IPv4 ARP packet (RFC 826). */
public record ArpRepr(ArpOperation operation, MacAddress senderMac, Ipv4Address senderIp,
                      MacAddress targetMac, Ipv4Address targetIp) {

  public static ArpRepr parse(ArpPacket p) throws Malformed {
    // RFC 826 "Packet Reception": check hardware and protocol type and lengths first.
    if (p.htype() != ArpPacket.HTYPE_ETHERNET || p.hlen() != 6) throw Malformed.of(DropReason.ARP_UNSUPPORTED_HARDWARE);
    if (p.ptype() != EtherType.IPV4 || p.plen() != 4) throw Malformed.of(DropReason.ARP_UNSUPPORTED_PROTOCOL);
    ArpOperation op = ArpOperation.of(p.oper());
    if (op == null) throw Malformed.of(DropReason.ARP_BAD_OPERATION);
    MacAddress sha = p.sha();
    if (!sha.isUnicast()) throw Malformed.of(DropReason.ARP_BAD_SENDER);
    return new ArpRepr(op, sha, p.spa(), p.tha(), p.tpa());
  }

  public int bufferLen() { return ArpPacket.LENGTH; }

  public void emit(ArpPacket p) {
    p.setFixed(operation.code);
    p.setAddresses(senderMac, senderIp, targetMac, targetIp);
  }

  /** RFC 5227 §2.1.1: an ARP Probe has an all-zero sender IP. */
  public boolean isProbe() { return operation == ArpOperation.REQUEST && senderIp.isUnspecified(); }

  /** RFC 5227 §3: an announcement (gratuitous ARP) has sender IP == target IP. */
  public boolean isAnnouncement() { return senderIp.equals(targetIp); }
}
