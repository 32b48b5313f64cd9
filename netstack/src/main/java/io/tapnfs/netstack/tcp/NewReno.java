package io.tapnfs.netstack.tcp;

/**
 * Reno congestion control, RFC 5681 §3.1, with the NewReno recovery hooks of RFC 6582 (the
 * partial-ACK logic itself is the caller's; see {@link CongestionControl}).
 *
 * <ul>
 *   <li>Slow start uses Appropriate Byte Counting (RFC 3465) with L = 2*SMSS: cwnd +=
 *       min(bytes acked, 2*SMSS) per ACK. RFC 5681 §3.1 (eq. 2) and §7 ask for L = 1*SMSS; we
 *       take RFC 3465 §2.3's 2*SMSS, as FreeBSD does, because against a receiver that ACKs every
 *       second segment (RFC 5681 §4.2) L = 1 grows cwnd by only half each RTT. In the slow start
 *       that follows a retransmission timeout L is 1*SMSS (RFC 3465 §2.3; FreeBSD likewise).
 *   <li>Congestion avoidance counts bytes (RFC 5681 §3.1, RFC 3465 §2.1): when the bytes acked
 *       since the last increase reach cwnd, cwnd grows by one SMSS — one SMSS per RTT, exactly,
 *       where {@code cwnd += SMSS*SMSS/cwnd} would round.
 *   <li>Bytes beyond ssthresh in the ACK that ends slow start go to congestion avoidance.
 * </ul>
 *
 * <p>Not thread-safe: event-loop thread only.
 */
public final class NewReno implements CongestionControl {
  /** RFC 3465 §2.3: the slow-start limit L, in segments. */
  static final int ABC_L = 2;

  private int mss;
  private long cwnd;
  private long ssthresh = Long.MAX_VALUE;   // RFC 5681 §3.1: "arbitrarily high"
  private long bytesAcked;                  // RFC 3465 §2.1 counter, congestion avoidance only
  private boolean afterRto;                 // in the slow start that follows a timeout: L = 1
  private boolean rtoPending;               // a timeout with no new data acked since: hold ssthresh
  private boolean inRecovery;
  private boolean started;                  // an ACK or a loss was seen: cwnd is no longer the IW
  private boolean clockStarted;
  private long lastEvent;

  public NewReno(int mss) {
    this.mss = checkMss(mss);
    this.cwnd = CongestionControl.initialWindow(mss);
  }

  @Override public String name() { return "newreno"; }
  @Override public long cwnd() { return cwnd; }
  @Override public long ssthresh() { return ssthresh; }
  @Override public int mss() { return mss; }

  @Override public void onAck(long now, long acked, long rttNanos, long bytesInFlight) {
    if (acked <= 0) return;
    touch(now);
    started = true;
    rtoPending = false;
    if (!cwndLimited(cwnd, mss, acked, bytesInFlight, cwnd < ssthresh)) return;
    long left = acked;
    if (cwnd < ssthresh) {
      long room = ssthresh - cwnd;
      long inc = Math.min(acked, slowStartLimit(mss, afterRto));   // RFC 3465 §2.2, eq. 2 of RFC 5681
      if (inc < room) {
        cwnd += inc;
        return;
      }
      cwnd = ssthresh;
      left = acked - room;
      afterRto = false;
      bytesAcked = 0;
    }
    // RFC 3465 §2.1: "When bytes_acked becomes greater than or equal to the value of the
    // congestion window, bytes_acked is reduced by the value of cwnd. Next, cwnd is incremented
    // by a full-sized segment (SMSS)."
    bytesAcked += left;
    if (bytesAcked >= cwnd) {
      bytesAcked -= cwnd;
      cwnd += mss;
    }
  }

  @Override public void onEnterRecovery(long now, long bytesInFlight) {
    touch(now);
    started = true;
    rtoPending = false;
    inRecovery = true;
    afterRto = false;
    bytesAcked = 0;
    ssthresh = lossThreshold(bytesInFlight);   // RFC 5681 §3.2 step 2, eq. 4
    cwnd = ssthresh;                           // RFC 6675 §5 step 4.2; no +3*SMSS here (see interface)
  }

  @Override public void onExitRecovery(long now) {
    touch(now);
    if (!inRecovery) return;                   // a timeout ended it already
    inRecovery = false;
    bytesAcked = 0;
    cwnd = ssthresh;                           // RFC 6582 §3.2 step 3, option (2)
  }

  @Override public void onRetransmitTimeout(long now, long bytesInFlight) {
    touch(now);
    started = true;
    if (!rtoPending) ssthresh = lossThreshold(bytesInFlight);   // RFC 5681 §3.1 eq. 4, held on a repeat
    rtoPending = true;
    inRecovery = false;
    afterRto = true;
    bytesAcked = 0;
    cwnd = mss;                                // RFC 5681 §3.1: the loss window, LW = 1 SMSS
  }

  @Override public void onIdleRestart(long now, long rto) {
    // RFC 5681 §4.1: "a TCP SHOULD set cwnd to no more than RW before beginning transmission if
    // the TCP has not sent data in an interval exceeding the retransmission timeout"
    if (clockStarted && now - lastEvent > rto) {
      cwnd = Math.min(cwnd, CongestionControl.initialWindow(mss));
      bytesAcked = 0;
    }
    touch(now);
  }

  @Override public void setMss(int newMss) {
    mss = checkMss(newMss);
    if (!started) {
      cwnd = CongestionControl.initialWindow(mss);
      return;
    }
    cwnd = Math.max(cwnd, mss);
    if (ssthresh != Long.MAX_VALUE) ssthresh = Math.max(ssthresh, 2L * mss);
  }

  @Override public String toString() {
    return name() + " cwnd " + cwnd + " ssthresh " + (ssthresh == Long.MAX_VALUE ? "inf" : ssthresh) + " mss " + mss;
  }

  private void touch(long now) {
    lastEvent = now;
    clockStarted = true;
  }

  private long lossThreshold(long flightSize) {
    // RFC 5681 eq. 4: ssthresh = max (FlightSize / 2, 2*SMSS)
    return Math.max(Math.max(0, flightSize) / 2, 2L * mss);
  }

  // ---- shared with Cubic

  static int checkMss(int mss) {
    if (mss <= 0) throw new IllegalArgumentException("mss " + mss);
    return mss;
  }

  /** RFC 3465 §2.3: L = 2*SMSS, but 1*SMSS in the slow start after a timeout. */
  static long slowStartLimit(int mss, boolean afterRto) {
    return (afterRto ? 1L : ABC_L) * mss;
  }

  /**
   * Was the sender limited by cwnd before this ACK? (See {@link CongestionControl}: RFC 9438 §5.8,
   * Linux {@code tcp_is_cwnd_limited}.) In slow start, more than half of cwnd was in flight; in
   * congestion avoidance, less than one SMSS of it was unused. Unknown flight counts as limited.
   */
  static boolean cwndLimited(double cwnd, int mss, long acked, long bytesInFlight, boolean slowStart) {
    if (bytesInFlight < 0) return true;
    double before = (double) bytesInFlight + acked;
    return slowStart ? 2 * before > cwnd : before + mss > cwnd;
  }
}
