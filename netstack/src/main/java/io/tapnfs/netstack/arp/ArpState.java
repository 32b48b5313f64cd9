package io.tapnfs.netstack.arp;

/**
 * Neighbour states, as Linux names them (include/net/neighbour.h); RFC 826 itself has only
 * "in the table" or not.
 */
public enum ArpState {
  /** Request sent, no answer yet; packets wait in a bounded queue. */
  INCOMPLETE,
  /** Confirmed within {@code arp_reachable_ms}. */
  REACHABLE,
  /** Usable but unconfirmed; the next use starts a unicast probe. */
  STALE,
  /** Used while stale; unicast requests are being sent to confirm it. */
  PROBE,
  /** A static entry: never aged, never overwritten by the wire. */
  PERMANENT
}
