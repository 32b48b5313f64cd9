package io.tapnfs.portmap;

/**
 * rpcbind counters, read through {@link Rpcbind#counters()} in camelCase ({@code SET_REFUSED} is
 * "setRefused"). Monotonic from construction.
 */
public enum RpcbindStat {
  /** Every call handed to {@link Rpcbind#dispatchOncRpcCall}. */
  CALLS,
  /** Per procedure (all versions that have it): calls received. */
  NULL_CALLS, GETPORT_CALLS, GETADDR_CALLS, GETVERSADDR_CALLS, GETADDRLIST_CALLS, DUMP_CALLS,
  GETTIME_CALLS, UADDR2TADDR_CALLS, TADDR2UADDR_CALLS, GETSTAT_CALLS,
  /** GETPORT/GETADDR/GETVERSADDR/GETADDRLIST that returned an address, or none. */
  ADDR_FOUND, ADDR_NOT_FOUND,
  /** SET/UNSET from the network, answered FALSE: registration is in-process only. */
  SET_REFUSED, UNSET_REFUSED,
  /** PMAP CALLIT, RPCBIND v3 CALLIT, v4 BCAST and INDIRECT, answered PROC_UNAVAIL. */
  CALLIT_REFUSED,
  /** DUMP that arrived over UDP while {@link RpcbindConfig#dumpOverUdp()} is off. */
  DUMP_UDP_REFUSED,
  /** Arguments that did not decode (GARBAGE_ARGS sent). */
  GARBAGE_ARGS,
  /** Procedure numbers the version does not have (PROC_UNAVAIL sent). */
  PROC_UNAVAIL,
  /** Versions other than 2..4 (PROG_MISMATCH(2, 4) sent). */
  PROG_MISMATCH,
  /** Calls for a program other than 100000 (PROG_UNAVAIL sent; a wiring mistake). */
  PROG_UNAVAIL,
  /** UADDR2TADDR given a string that is not an IPv4 universal address (empty netbuf sent). */
  BAD_UADDR,
  /** TADDR2UADDR given bytes that are not an AF_INET sockaddr_in ("" sent). */
  BAD_TADDR,
  /** In-process registrations accepted; of them, ones that replaced an existing mapping. */
  REGISTERED, REPLACED,
  /** In-process unregistrations that removed a mapping. */
  UNREGISTERED,
  /** In-process registrations refused because the table is at its cap. */
  REGISTER_FULL,
  /** GETSTAT address statistics not kept because that version's list is at its cap. */
  ADDR_STATS_FULL
}
