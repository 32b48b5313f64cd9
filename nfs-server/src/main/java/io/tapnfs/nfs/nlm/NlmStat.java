package io.tapnfs.nfs.nlm;

/** What {@link NlmProgram} counts besides calls per procedure and replies per status, named as {@code tapnfs stat} prints them. */
enum NlmStat {
  /** Arguments that did not decode (a netobj over 1024 bytes, a handle over 64, a bad bool or enum, a short message). */
  GARBAGE_ARGS("garbageArgs"),
  /** Procedure numbers the version does not have. */
  PROC_UNAVAIL("procUnavail"),
  /** Handles no export knows, empty ones, or files gone. */
  STALE_HANDLES("staleHandles"),
  /** Callers the export's rules refuse (address, or a secure export and a port of 1024 or above). */
  EXPORT_REFUSED("exportRefused"),
  /** Version 4 ranges whose offset plus length passes 2^64. */
  BAD_RANGES("badRanges"),
  /** Requests refused for the grace period: non-reclaims during it, reclaims after it. */
  GRACE_REFUSED("graceRefused"),
  /** Lock requests refused because the status monitor could not record the host. */
  MONITOR_FAILED("monitorFailed"),
  /** Hosts the monitored-host table had no room for. */
  HOST_LIMIT("hostLimit"),
  /** Requests refused at a bound of the lock manager or of the share table. */
  LOCK_LIMIT("lockLimit"), SHARE_LIMIT("shareLimit"),
  /** Requests of a client that was being handed a lock it no longer waits for: its GRANTED callback was dropped. */
  GRANTED_SUPERSEDED("grantedSuperseded"),
  /** GRANTED / GRANTED_MSG received: a client call to a server; we wait for no lock, so they are DENIED. */
  GRANTED_RECEIVED("grantedReceived"),
  /** GRANTED_RES that match no GRANTED_MSG we sent (unknown cookie, another address). */
  GRANTED_RES_UNMATCHED("grantedResUnmatched"),
  /** Results of _MSG calls we never make (TEST_RES ... UNLOCK_RES), decoded and dropped. */
  RES_IGNORED("resIgnored"),
  /** Hosts dropped by the status monitor (a reboot) and by FREE_ALL. */
  HOSTS_REBOOTED("hostsRebooted"), HOSTS_FREED("hostsFreed"),
  /** Our own faults: a procedure threw; answered DENIED_NOLOCKS / FAILED and logged. */
  SERVER_FAULTS("serverFaults");

  private final String key;

  NlmStat(String key) { this.key = key; }

  String key() { return key; }
}
