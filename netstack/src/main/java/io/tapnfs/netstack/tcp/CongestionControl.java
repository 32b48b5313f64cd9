package io.tapnfs.netstack.tcp;

import java.util.Locale;

/**
 * A sender's congestion controller (RFC 5681 and successors): one instance per connection, in
 * bytes, pure. It reads no clock and sends nothing: the connection reports ACKs and loss events
 * with {@code now} (monotonic nanoseconds, never going backwards) and reads {@link #cwnd()}.
 *
 * <p>What the caller does, and this class does not:
 * <ul>
 *   <li>Detects loss (three duplicate ACKs, RFC 5681 §3.2; or SACK, RFC 6675) and decides when
 *       recovery ends: {@link #onEnterRecovery} and {@link #onExitRecovery} bracket it, and
 *       {@link #onAck} is not called in between (partial ACKs are the caller's, RFC 6582 §3.2
 *       step 4).
 *   <li>Window inflation in fast recovery. On entering recovery cwnd becomes ssthresh and stays
 *       there, as RFC 6675 §5 (step 4.2) has it; a sender without SACK that wants RFC 5681
 *       §3.2's "cwnd = ssthresh + 3*SMSS" plus one SMSS per further duplicate ACK adds that to
 *       its own send window and drops it at the full ACK. Nothing here needs deflating.
 *   <li>Keeps the ACK clock: after {@link #onExitRecovery} cwnd may allow a burst (RFC 6582
 *       §3.2 step 3 asks for "measures to avoid a possible burst").
 *   <li>Times segments (Karn) and passes RTT samples to {@link #onAck}.
 * </ul>
 *
 * <p>Growth only when the window is used: cwnd does not grow on an ACK unless the sender was
 * limited by cwnd, judged from the flight before the ACK (RFC 9438 §5.8 "CUBIC does not increase
 * its congestion window if a flow is application-limited"; Linux {@code tcp_is_cwnd_limited}
 * applies the same to Reno). In slow start "limited" means more than half of cwnd was in flight
 * (as Linux); in congestion avoidance less than one SMSS of cwnd was unused.
 *
 * <p>Not thread-safe: event-loop thread only.
 */
public interface CongestionControl {
  /** The name of the default controller, as in Linux. */
  String DEFAULT = "cubic";

  /** The current congestion window in bytes. */
  long cwnd();

  /** The slow-start threshold in bytes; {@link Long#MAX_VALUE} until the first congestion event. */
  long ssthresh();

  /** The sender maximum segment size in bytes. */
  int mss();

  /** RFC 5681 §3.1: slow start when cwnd < ssthresh (at equality, congestion avoidance). */
  default boolean inSlowStart() { return cwnd() < ssthresh(); }

  /**
   * New data was cumulatively acknowledged outside recovery.
   *
   * @param bytesAcked bytes newly acknowledged (SND.UNA advance); nothing happens if not positive
   * @param rttNanos an RTT sample from this ACK, or -1 if none (Karn)
   * @param bytesInFlight bytes still outstanding after this ACK (SND.MAX - SND.UNA), or -1 if
   *     unknown, which counts as cwnd-limited
   */
  void onAck(long now, long bytesAcked, long rttNanos, long bytesInFlight);

  /**
   * Fast retransmit: loss was detected by duplicate ACKs or SACK (RFC 5681 §3.2 step 2,
   * RFC 6582 §3.2 step 2). Sets ssthresh and cwnd; the connection is in recovery until
   * {@link #onExitRecovery}.
   *
   * @param bytesInFlight FlightSize: bytes outstanding when the loss was detected
   */
  void onEnterRecovery(long now, long bytesInFlight);

  /**
   * A full ACK ended recovery (RFC 6582 §3.2 step 3). We take its option (2), cwnd = ssthresh,
   * rather than min(ssthresh, max(FlightSize, SMSS) + SMSS): cwnd was never inflated here, and
   * the burst that option (1) prevents is the caller's to pace.
   */
  void onExitRecovery(long now);

  /**
   * The retransmission timer expired (RFC 5681 §3.1, RFC 6298 §5.5). cwnd becomes the loss window,
   * one SMSS. A second timeout with no new data acknowledged in between keeps ssthresh (RFC 5681
   * §3.1: "the value of ssthresh is held constant").
   *
   * @param bytesInFlight FlightSize: bytes outstanding when the timer fired
   */
  void onRetransmitTimeout(long now, long bytesInFlight);

  /**
   * The sender is about to send with nothing in flight. If this controller has seen nothing (no
   * ACK, loss, or earlier call of this method) for longer than {@code rto}, cwnd becomes
   * min(IW, cwnd), RFC 5681 §4.1's restart window. Call it every time the pipe restarts; the
   * controller decides.
   *
   * <p>RFC 5681 measures idleness from the last segment sent; with nothing in flight, the last
   * event we saw is the ACK that emptied the pipe, at most one RTT later. So a restart comes up
   * to one RTT later than the RFC's rule would allow, never sooner.
   *
   * @param rto the current retransmission timeout, nanoseconds
   */
  void onIdleRestart(long now, long rto);

  /**
   * The sender MSS changed (negotiated in the handshake, or a PMTU change, RFC 1191). Before any
   * ACK or loss cwnd is the initial window for the new MSS; after, cwnd and ssthresh keep their
   * bytes (the path's capacity did not change) but are raised to one and two segments.
   */
  void setMss(int mss);

  /** The name {@link #create} takes. */
  String name();

  /** RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)). */
  static long initialWindow(int mss) {
    return Math.min(10L * mss, Math.max(2L * mss, 14_600L));
  }

  /**
   * A controller by name, case-insensitive: "cubic" ({@link #DEFAULT}), or "newreno" (also
   * "reno").
   *
   * @throws IllegalArgumentException for any other name, or a non-positive mss
   */
  static CongestionControl create(String name, int mss) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "cubic" -> new Cubic(mss);
      case "newreno", "reno" -> new NewReno(mss);
      default -> throw new IllegalArgumentException(
          "unknown congestion control '" + name + "'; valid: cubic (default), newreno, reno");
    };
  }
}
