package io.tapnfs.rpc;

/** Counters of an {@link RpcServer}, readable at run time. */
public enum RpcStat {
  /** Calls handed to a program. */
  CALLS,
  /** Calls for a program we serve, but at a version we do not: PROG_MISMATCH (RFC 5531 §9). */
  PROG_MISMATCH,
  /** Calls for a program we do not serve: PROG_UNAVAIL. */
  PROG_UNAVAIL,
  /** Calls of an RPC version other than 2: RPC_MISMATCH (RFC 5531 §9). */
  RPC_MISMATCH,
  /** Messages too short for an RPC call header: dropped; the TCP connection closed. */
  TRUNCATED_CALLS,
  /** Calls whose credential or verifier is malformed or too long: AUTH_BADCRED / AUTH_BADVERF. */
  AUTH_REJECTED,
  /** TCP connections closed because a record (RFC 5531 §11 record marking) grew past the cap. */
  RECORD_TOO_LARGE,
  /** TCP connections closed for a record of too many fragments. */
  TOO_MANY_FRAGMENTS,
  /** Calls dropped because their connection already had the most calls in progress. */
  PENDING_LIMIT_DROPS,
  /** Calls whose program threw: SYSTEM_ERR. */
  SYSTEM_ERRORS,
  /** TCP connections accepted and closed. */
  TCP_ACCEPTED, TCP_CLOSED,
  /** Calls of a cached procedure not found in the {@link DuplicateRequestCache}: run. */
  DRC_MISSES,
  /** Retransmissions of a completed call: answered with its cached reply, not run again. */
  DRC_HITS,
  /** Retransmissions of a call still in progress: dropped (the client retransmits again). */
  DRC_IN_PROGRESS_DROPS,
  /** Completed entries evicted, least recently used first, to stay within the entry and byte bounds. */
  DRC_EVICTIONS,
  /** Completed entries dropped for being older than the cache's maximum age. */
  DRC_EXPIRED,
  /** Calls whose reply was not stored: larger than the cap, or none sent while the call ran. */
  DRC_NOT_CACHED,
  /** Calls run without an entry because every entry was in progress (the cache full of running calls). */
  DRC_FULL
}
