package io.tapnfs.netstack.socket;

import io.tapnfs.netstack.ipv4.Ipv4Address;
import java.nio.ByteBuffer;

/** A received UDP datagram; {@code payload} is the socket's own copy, read-only. */
public record Datagram(Ipv4Address source, int sourcePort, Ipv4Address destination, ByteBuffer payload) {}
