package io.tapnfs.netstack.tcp;

/** TCP counters, named after the TCP-MIB (RFC 4022) and Linux's /proc/net/snmp Tcp line. */
public enum TcpStat {
  ACTIVE_OPENS, PASSIVE_OPENS, ATTEMPT_FAILS, ESTAB_RESETS, IN_SEGS, OUT_SEGS, RETRANS_SEGS,
  IN_ERRS, IN_CSUM_ERRORS, OUT_RSTS, IN_RSTS, CLOSED_PORT_SEGMENTS, LISTEN_OVERFLOWS
}
