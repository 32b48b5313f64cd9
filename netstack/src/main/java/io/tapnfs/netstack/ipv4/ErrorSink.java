package io.tapnfs.netstack.ipv4;

/** Where IPv4 and the transports ask for an ICMP error about a datagram (implemented by ICMP). */
public interface ErrorSink {
  /**
   * @param about the offending datagram; {@code quote} holds its header and leading bytes
   */
  void sendError(long now, int type, int code, int rest, InboundDatagram about);

  ErrorSink NONE = (now, type, code, rest, about) -> {};
}
