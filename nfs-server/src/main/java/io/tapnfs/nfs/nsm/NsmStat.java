package io.tapnfs.nfs.nsm;

/**
 * Status monitor counters, read through {@link Nsm#counters()} in camelCase ({@code NOTIFY_SENT} is
 * "notifySent"). Monotonic from the start.
 */
public enum NsmStat {
  /** Calls of the NSM program received, and per procedure. */
  CALLS, NULL_CALLS, STAT_CALLS, MON_CALLS, UNMON_CALLS, UNMON_ALL_CALLS, SIMU_CRASH_CALLS, NOTIFY_CALLS,
  /**
   * SM_MON, SM_UNMON, SM_UNMON_ALL and SM_SIMU_CRASH from the network: refused (SM_MON answers
   * stat_fail) or answered without doing anything. Only the process itself monitors.
   */
  REMOTE_MON_REFUSED,
  /** SM_NOTIFY that matched a monitored client: its locks handed to {@link io.tapnfs.nfs.lock.ClientReboots}. */
  CLIENT_REBOOTS,
  /** SM_NOTIFY naming no monitored client (by name or by the caller's address): ignored. */
  NOTIFY_UNMONITORED,
  /** SM_NOTIFY with the state number the client told us last (a retransmission): ignored. */
  NOTIFY_DUPLICATE,
  /** Clients recorded by {@link Nsm#monitor} (a record written), and records removed by {@link Nsm#unmonitor}. */
  MONITORED, UNMONITORED,
  /** {@link Nsm#monitor} refused: as many clients are monitored as the store keeps. */
  MONITOR_REFUSED,
  /** After a start: clients told of it (SM_NOTIFY answered), attempts that failed, clients given up on. */
  NOTIFY_SENT, NOTIFY_FAILED, NOTIFY_GAVE_UP,
  /** Arguments that did not decode (GARBAGE_ARGS sent); procedure numbers version 1 does not have (PROC_UNAVAIL). */
  GARBAGE_ARGS, PROC_UNAVAIL
}
