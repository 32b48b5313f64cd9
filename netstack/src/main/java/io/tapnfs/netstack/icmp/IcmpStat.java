package io.tapnfs.netstack.icmp;

/** ICMP counters, named after the IP-MIB icmpStatsTable / icmpMsgStatsTable (RFC 4293). */
public enum IcmpStat {
  IN_MSGS, IN_ERRORS, IN_ECHOS, IN_ECHO_REPS, IN_DEST_UNREACHS, IN_FRAG_NEEDED, IN_TIME_EXCDS,
  IN_PARM_PROBS, IN_SRC_QUENCHS, IN_REDIRECTS, IN_REDIRECTS_ACCEPTED, IN_TIMESTAMPS,
  OUT_MSGS, OUT_ERRORS, OUT_ECHO_REPS, OUT_ECHOS, OUT_DEST_UNREACHS, OUT_TIME_EXCDS,
  /** Linux's netstat -s Icmp OutRateLimitGlobal / OutRateLimitHost: errors not sent by the global or a destination's limit. */
  OUT_RATE_LIMIT_GLOBAL, OUT_RATE_LIMIT_HOST, OUT_SUPPRESSED
}
