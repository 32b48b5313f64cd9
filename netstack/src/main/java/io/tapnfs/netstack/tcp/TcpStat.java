package io.tapnfs.netstack.tcp;

/** TCP counters, named after the TCP-MIB (RFC 4022) and Linux's /proc/net/snmp Tcp line. */
public enum TcpStat {
  ACTIVE_OPENS, PASSIVE_OPENS, ATTEMPT_FAILS, ESTAB_RESETS, IN_SEGS, OUT_SEGS, RETRANS_SEGS,
  IN_ERRS, IN_CSUM_ERRORS, OUT_RSTS, IN_RSTS, CLOSED_PORT_SEGMENTS, LISTEN_OVERFLOWS,
  // Linux TcpExt names
  /** Retransmission timeouts. */
  TIMEOUTS,
  /** Fast retransmits on entering recovery (RFC 5681 §3.2, RFC 6675 §5). */
  FAST_RETRANS,
  /** Recoveries driven by the SACK scoreboard (RFC 6675) and by NewReno (RFC 6582). */
  SACK_RECOVERY, RENO_RECOVERY,
  /** Segments queued out of order, and SACK blocks we sent and received. */
  OFO_QUEUE, SACKS_SENT, SACK_BLOCKS_RECEIVED,
  /** Segments dropped by PAWS (RFC 7323 §5). */
  PAWS_DROPS,
  /** RFC 5961 challenge ACKs sent, and those suppressed by the rate limit. */
  CHALLENGE_ACKS, CHALLENGE_ACKS_LIMITED,
  /** Delayed ACKs sent by the timer. */
  DELAYED_ACKS,
  /** Zero-window probes and keepalive probes sent; connections dropped by keepalive. */
  WINDOW_PROBES, KEEPALIVE_PROBES, KEEPALIVE_TIMEOUTS,
  /** SYN cookies sent, validated and rejected (RFC 4987). */
  SYNCOOKIES_SENT, SYNCOOKIES_RECV, SYNCOOKIES_FAILED,
  /** Orphaned FIN-WAIT-2 connections dropped on tcp_fin_timeout. */
  FIN_WAIT2_TIMEOUTS,
  /** Path-MTU reductions from ICMP fragmentation needed; ICMP errors not matching a connection's window. */
  PMTU_UPDATES, ICMP_IGNORED,
  /** Data bytes sent and received (first transmissions and in-order deliveries). */
  OUT_DATA_BYTES, IN_DATA_BYTES
}
