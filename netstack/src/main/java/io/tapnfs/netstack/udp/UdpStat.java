package io.tapnfs.netstack.udp;

/** UDP counters, named after the UDP-MIB (RFC 4113) and Linux's /proc/net/snmp. */
public enum UdpStat {
  IN_DATAGRAMS, NO_PORTS, IN_ERRORS, IN_CSUM_ERRORS, RCVBUF_ERRORS, OUT_DATAGRAMS, OUT_ERRORS
}
