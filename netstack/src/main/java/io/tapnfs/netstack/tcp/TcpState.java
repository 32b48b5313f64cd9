package io.tapnfs.netstack.tcp;

/** Connection states, named and printed as RFC 9293 §3.3.2 names them. */
public enum TcpState {
  LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING,
  LAST_ACK, TIME_WAIT, CLOSED;

  /** {@code SYN-RECEIVED}, as the RFC spells it. */
  @Override public String toString() { return name().replace('_', '-'); }
}
