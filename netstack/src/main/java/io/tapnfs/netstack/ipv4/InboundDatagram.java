package io.tapnfs.netstack.ipv4;

import java.nio.ByteBuffer;

/**
 * A datagram for us, handed to a transport protocol.
 * @param ip the header (for a reassembled datagram: the first fragment's, unfragmented)
 * @param payload the transport payload; valid only during the call (copy to keep)
 * @param quote the IP header followed by the leading payload bytes, for ICMP errors about it
 * @param broadcast addressed to a broadcast or multicast address, at the IP or the link level
 */
public record InboundDatagram(Ipv4Repr ip, ByteBuffer payload, ByteBuffer quote, boolean broadcast) {}
