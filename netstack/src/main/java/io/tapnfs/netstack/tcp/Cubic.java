package io.tapnfs.netstack.tcp;

/**
 * CUBIC congestion control, RFC 9438. Windows are kept in bytes as doubles; the cubic function
 * works in segments and seconds as the RFC writes it ({@code C} is segments per second cubed).
 *
 * <ul>
 *   <li>Slow start is Reno's (RFC 9438 §4.10 allows it "in the rare cases when HyStart++ is not
 *       suitable"): ABC with L = 2*SMSS, 1*SMSS after a timeout, as {@link NewReno}. No HyStart++
 *       (RFC 9406) yet, so the first slow start ends with a loss.
 *   <li>Congestion avoidance takes the larger of W_cubic(t) and the Reno-friendly W_est (§4.2,
 *       §4.3); in the cubic regions cwnd moves toward target = W_cubic(t + RTT), clamped to
 *       [cwnd, 1.5*cwnd] (§4.2), by (target - cwnd)/cwnd per SMSS acknowledged (§4.4, §4.5).
 *       The RFC says "for each received new ACK"; we scale by segments acknowledged, as Linux
 *       does ({@code tcp_cong_avoid_ai} with {@code acked}), so a delayed-ACK peer does not halve
 *       growth and target remains "the congestion window after the next RTT".
 *   <li>RTT in target is the minimum RTT seen (Linux {@code delay_min}), not the smoothed RTT of
 *       §4.1: we are given samples, and the minimum is not inflated by our own queue. With no
 *       sample yet, RTT is 0 and target is W_cubic(t).
 *   <li>The epoch (t_epoch, cwnd_epoch, K, W_est) starts with the first ACK in congestion
 *       avoidance, so after slow start and after recovery alike. After a timeout, and when
 *       cwnd_epoch is already at or above W_max, K = 0 and W_max = cwnd_epoch (§4.8, §4.10;
 *       Linux likewise starts at the origin rather than with a negative K).
 *   <li>t excludes application-limited time (§4.2, §5.8): an ACK that finds the window unused, and
 *       an idle restart, move t_epoch forward by the time since the previous event.
 *   <li>Multiplicative decrease uses FlightSize (§4.6); fast convergence is on unless turned off
 *       (§4.7 says to turn it off when this is the only flow on the path, which we cannot know).
 *   <li>Not implemented: spurious-loss undo (§4.9, a MAY), ECN.
 * </ul>
 *
 * <p>Not thread-safe: event-loop thread only.
 */
public final class Cubic implements CongestionControl {
  /** RFC 9438 §4.1, §5: C = 0.4, in segments / second^3. */
  static final double C = 0.4;
  /** RFC 9438 §4.6: beta_cubic "SHOULD be set to 0.7". */
  static final double BETA = 0.7;
  /** RFC 9438 §4.3: alpha_cubic = 3 * (1 - beta_cubic) / (1 + beta_cubic). */
  static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

  private final boolean fastConvergence;
  private int mss;
  private double cwnd;                      // bytes
  private long ssthresh = Long.MAX_VALUE;
  // RFC 9438 §4.1 state, windows in bytes; 0 = not yet defined
  private double wMax, cwndPrior;
  private boolean inEpoch;
  private long epochStart;                  // t_epoch, ns
  private double cwndEpoch, k, wEst, alpha;
  private long minRtt = -1;
  private boolean afterRto;                 // the next epoch is the first after a timeout (§4.8)
  private boolean rtoPending;               // a timeout with no new data acked since: hold ssthresh
  private boolean inRecovery;
  private boolean started;                  // an ACK or a loss was seen: cwnd is no longer the IW
  private boolean clockStarted;
  private long lastEvent;

  /** CUBIC with fast convergence. */
  public Cubic(int mss) { this(mss, true); }

  public Cubic(int mss, boolean fastConvergence) {
    this.mss = NewReno.checkMss(mss);
    this.fastConvergence = fastConvergence;
    this.cwnd = CongestionControl.initialWindow(mss);
  }

  @Override public String name() { return "cubic"; }
  @Override public long cwnd() { return (long) cwnd; }
  @Override public long ssthresh() { return ssthresh; }
  @Override public int mss() { return mss; }

  @Override public void onAck(long now, long acked, long rttNanos, long bytesInFlight) {
    if (acked <= 0) return;
    if (rttNanos >= 0) minRtt = minRtt < 0 ? rttNanos : Math.min(minRtt, rttNanos);
    long sinceLast = clockStarted ? Math.max(0, now - lastEvent) : 0;
    touch(now);
    started = true;
    rtoPending = false;
    if (!NewReno.cwndLimited(cwnd, mss, acked, bytesInFlight, cwnd < ssthresh)) {
      if (inEpoch) epochStart += sinceLast;   // §4.2: t "MUST NOT include" application-limited periods
      return;
    }
    long left = acked;
    if (cwnd < ssthresh) {
      double room = ssthresh - cwnd;
      long inc = Math.min(acked, NewReno.slowStartLimit(mss, afterRto));   // §4.10: Reno's slow start
      if (inc < room) {
        cwnd += inc;
        return;
      }
      cwnd = ssthresh;
      left = (long) Math.max(0, acked - room);
      if (left == 0) return;
    }
    if (!inEpoch) startEpoch(now);
    congestionAvoidance(now, left);
  }

  private void startEpoch(long now) {
    inEpoch = true;
    epochStart = now;
    cwndEpoch = cwnd;
    if (afterRto || wMax <= cwnd) {
      wMax = cwnd;                               // §4.8 after a timeout; §4.10 no loss yet
      k = 0;
    } else {
      k = Math.cbrt((wMax - cwndEpoch) / mss / C);   // §4.2 eq. 2, in segments
    }
    if (cwndPrior == 0) cwndPrior = cwnd;      // §4.10: exit from slow start without a loss
    wEst = cwndEpoch;                          // §4.3 (and §4.8 after a timeout)
    alpha = wEst >= cwndPrior ? 1 : ALPHA;
    afterRto = false;
  }

  private void congestionAvoidance(long now, long acked) {
    // §4.3 eq. 4: W_est += alpha_cubic * segments_acked / cwnd (in segments; here times SMSS)
    wEst += alpha * mss * acked / cwnd;
    // §4.3: "Once W_est has grown to reach ... cwnd_prior ... SHOULD set alpha_cubic to 1"
    if (wEst >= cwndPrior) alpha = 1;
    double t = (now - epochStart) / 1e9;
    if (wCubic(t) < wEst) {
      // §4.3: Reno-friendly region, cwnd SHOULD be W_est. Never lowered: cwnd may already be
      // ahead, having chased W_cubic(t + RTT).
      cwnd = Math.max(cwnd, wEst);
      return;
    }
    double rtt = minRtt < 0 ? 0 : minRtt / 1e9;
    double target = Math.min(Math.max(wCubic(t + rtt), cwnd), 1.5 * cwnd);   // §4.2
    // §4.4 concave, §4.5 convex: cwnd += (target - cwnd) / cwnd per segment acked; a stretch ACK
    // covering more than cwnd stops at target.
    cwnd = Math.min(target, cwnd + (target - cwnd) / cwnd * acked);
  }

  /** §4.2 eq. 1, W_cubic(t) = C * (t - K)^3 + W_max, in bytes; t in seconds since t_epoch. */
  double wCubic(double t) {
    double d = t - k;
    return C * d * d * d * mss + wMax;
  }

  @Override public void onEnterRecovery(long now, long bytesInFlight) {
    touch(now);
    started = true;
    rtoPending = false;
    inRecovery = true;
    afterRto = false;
    inEpoch = false;
    // §4.7: fast convergence updates W_max before the reduction
    wMax = fastConvergence && cwnd < wMax ? cwnd * (1 + BETA) / 2 : cwnd;
    cwndPrior = cwnd;
    // §4.6: ssthresh = flight_size * beta_cubic; cwnd = max(ssthresh, 2); ssthresh at least 2 MSS
    ssthresh = lossThreshold(bytesInFlight);
    cwnd = ssthresh;
  }

  @Override public void onExitRecovery(long now) {
    touch(now);
    if (!inRecovery) return;                   // a timeout ended it already
    inRecovery = false;
    cwnd = ssthresh;                           // RFC 6582 §3.2 step 3, option (2)
  }

  @Override public void onRetransmitTimeout(long now, long bytesInFlight) {
    touch(now);
    started = true;
    if (!rtoPending) {
      // §4.8: "CUBIC follows Reno to reduce cwnd ... but sets ssthresh using beta_cubic"; RFC 5681
      // §3.1 holds ssthresh on a repeated timeout
      cwndPrior = cwnd;
      ssthresh = lossThreshold(bytesInFlight);
    }
    rtoPending = true;
    inRecovery = false;
    inEpoch = false;
    afterRto = true;
    cwnd = mss;                                // RFC 5681 §3.1: the loss window
  }

  @Override public void onIdleRestart(long now, long rto) {
    long idle = clockStarted ? Math.max(0, now - lastEvent) : 0;
    long iw = CongestionControl.initialWindow(mss);
    if (idle > rto && cwnd > iw) {
      cwnd = iw;                               // RFC 5681 §4.1: RW = min(IW, cwnd)
      inEpoch = false;                         // a new stage: cwnd_epoch and K are recomputed from W_max
    } else if (inEpoch) {
      epochStart += idle;                      // §5.8: idle time is not part of t
    }
    touch(now);
  }

  @Override public void setMss(int newMss) {
    int old = mss;
    mss = NewReno.checkMss(newMss);
    if (!started) {
      cwnd = CongestionControl.initialWindow(mss);
      return;
    }
    cwnd = Math.max(cwnd, mss);
    if (ssthresh != Long.MAX_VALUE) ssthresh = Math.max(ssthresh, 2L * mss);
    if (old != mss) inEpoch = false;           // K is in segments: restart the curve from here
  }

  @Override public String toString() {
    return name() + " cwnd " + (long) cwnd + " ssthresh " + (ssthresh == Long.MAX_VALUE ? "inf" : ssthresh)
        + " wMax " + (long) wMax + " K " + (inEpoch ? k + " s" : "-") + " mss " + mss;
  }

  private void touch(long now) {
    lastEvent = now;
    clockStarted = true;
  }

  private long lossThreshold(long flightSize) {
    // rounded, not truncated: 146000 * 0.7 is 102199.99999999999 in binary floating point
    return Math.max(Math.round(Math.max(0, flightSize) * BETA), 2L * mss);
  }

  // ---- for tests

  double kSeconds() { return k; }
  double wMax() { return wMax; }
  double wEst() { return wEst; }
  double cwndPrior() { return cwndPrior; }
  double cwndExact() { return cwnd; }
  boolean inEpoch() { return inEpoch; }
  long epochStart() { return epochStart; }
}
