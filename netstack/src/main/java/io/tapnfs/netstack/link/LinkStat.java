package io.tapnfs.netstack.link;

/** Interface counters, as {@code ip -s link} shows them. */
public enum LinkStat {
  RX_PACKETS, RX_BYTES, RX_ERRORS, RX_DROPPED, RX_BROADCAST,
  TX_PACKETS, TX_BYTES, TX_ERRORS, TX_DROPPED
}
