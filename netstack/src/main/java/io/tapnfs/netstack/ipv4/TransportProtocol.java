package io.tapnfs.netstack.ipv4;

/** An upper layer that IPv4 hands datagrams to by protocol number (gVisor TransportDispatcher). */
public interface TransportProtocol {
  int protocolNumber();

  void deliver(long now, InboundDatagram d);
}
