package io.tapnfs.netstack.tcp;

/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from round-trip samples (§2), clamped
 * (§2.4, §2.5) and backed off (§5.5). All times are nanoseconds.
 *
 * <p>Which segments may be timed is the caller's business: Karn's algorithm (§3) says never
 * sample a retransmitted one. {@link #sample} collapses any backoff, as the note after §5.7
 * describes; {@link #resetBackoff} does so without a sample, for a caller that follows Linux and
 * undoes the backoff on any ACK of new data. Re-arming the RTO at 3 s after a lost SYN (§5.7) is
 * also left to the caller.
 *
 * <p>Arithmetic is integral: SRTT and RTTVAR are rounded down to the nanosecond at each update.
 *
 * <p>Not thread-safe: event-loop thread only.
 */
public final class RttEstimator {
  /**
   * RFC 6298 §2.4 says the RTO SHOULD be rounded up to 1 s. We follow Linux ({@code TCP_RTO_MIN},
   * 200 ms): the 1 s floor guards against spurious timeouts on coarse clocks and slow paths, but
   * our clock is exact and our peers sit on a TAP link with sub-millisecond RTTs, where a 1 s
   * floor would stall the flow for a second on every tail loss. 200 ms still exceeds the 40 ms
   * delayed-ACK timer of a Linux peer, which is what we mostly talk to.
   */
  public static final long DEFAULT_MIN_RTO = 200_000_000L;
  /** RFC 6298 §2.5: a maximum "MAY be placed on RTO provided it is at least 60 seconds"; Linux uses 120 s. */
  public static final long DEFAULT_MAX_RTO = 120_000_000_000L;
  /** RFC 6298 §2.1: "Until a round-trip time (RTT) measurement has been made ... RTO <- 1 second". */
  public static final long DEFAULT_INITIAL_RTO = 1_000_000_000L;
  /** Clock granularity G (§2): the event loop's timer wheel ticks once a millisecond. */
  public static final long DEFAULT_GRANULARITY = 1_000_000L;

  private static final int K = 4;   // RFC 6298 §2: K = 4; alpha = 1/8 and beta = 1/4 are the shifts below

  private final long minRto, maxRto, granularity;
  private long srtt, rttvar, minRtt;
  private boolean hasSample;
  /** The RTO before backoff: initial, or from the last sample, always within [minRto, maxRto]. */
  private long baseRto;
  private int backoffs;
  private long rto;

  /** An estimator with the defaults above. */
  public RttEstimator() {
    this(DEFAULT_MIN_RTO, DEFAULT_MAX_RTO, DEFAULT_INITIAL_RTO, DEFAULT_GRANULARITY);
  }

  /**
   * @param minRtoNanos the floor of a computed RTO, positive
   * @param maxRtoNanos the ceiling of any RTO, backed off or not; at least {@code minRtoNanos}
   * @param initialRtoNanos the RTO until the first sample, within [min, max]
   * @param granularityNanos the clock granularity G, not negative
   */
  public RttEstimator(long minRtoNanos, long maxRtoNanos, long initialRtoNanos, long granularityNanos) {
    if (minRtoNanos <= 0) throw new IllegalArgumentException("minRto " + minRtoNanos);
    if (maxRtoNanos < minRtoNanos) throw new IllegalArgumentException("maxRto " + maxRtoNanos + " < minRto " + minRtoNanos);
    if (initialRtoNanos < minRtoNanos || initialRtoNanos > maxRtoNanos)
      throw new IllegalArgumentException("initialRto " + initialRtoNanos + " outside [" + minRtoNanos + ", " + maxRtoNanos + "]");
    if (granularityNanos < 0) throw new IllegalArgumentException("granularity " + granularityNanos);
    this.minRto = minRtoNanos;
    this.maxRto = maxRtoNanos;
    this.granularity = granularityNanos;
    this.baseRto = initialRtoNanos;
    this.rto = initialRtoNanos;
  }

  /**
   * Takes one round-trip measurement R of a segment that was not retransmitted (Karn).
   *
   * @throws IllegalArgumentException if {@code rttNanos} is negative
   */
  public void sample(long rttNanos) {
    if (rttNanos < 0) throw new IllegalArgumentException("negative RTT sample " + rttNanos);
    if (!hasSample) {
      // §2.2: SRTT <- R, RTTVAR <- R/2
      srtt = rttNanos;
      rttvar = rttNanos / 2;
      minRtt = rttNanos;
      hasSample = true;
    } else {
      // §2.3: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|, with the old SRTT; then
      //       SRTT <- (1 - alpha) * SRTT + alpha * R'. Differences of non-negative longs cannot overflow.
      rttvar += Math.floorDiv(Math.abs(srtt - rttNanos) - rttvar, 4);
      srtt += Math.floorDiv(rttNanos - srtt, 8);
      minRtt = Math.min(minRtt, rttNanos);
    }
    // §2.2/§2.3: RTO <- SRTT + max(G, K * RTTVAR); §2.4, §2.5: clamp
    long spread = Math.max(granularity, rttvar > Long.MAX_VALUE / K ? Long.MAX_VALUE : K * rttvar);
    long computed = srtt > Long.MAX_VALUE - spread ? Long.MAX_VALUE : srtt + spread;
    baseRto = Math.min(maxRto, Math.max(minRto, computed));
    resetBackoff();   // note after §5.7: a new measurement may "collapse" a backed-off RTO
  }

  /** §5.5: the retransmission timer expired; RTO <- RTO * 2, at most the maximum (§2.5). */
  public void backoff() {
    if (rto < maxRto) {
      backoffs++;
      rto = rto > maxRto / 2 ? maxRto : rto * 2;
    }
  }

  /** Drops any backoff: the RTO is again the one computed from the last sample (or the initial one). */
  public void resetBackoff() {
    backoffs = 0;
    rto = baseRto;
  }

  /** The current retransmission timeout, backoff included. */
  public long rto() { return rto; }

  /** How many times {@link #backoff} doubled the RTO since the last reset (not counting doublings past the maximum). */
  public int backoffs() { return backoffs; }

  public boolean hasSample() { return hasSample; }

  /** Smoothed RTT; 0 before the first sample. */
  public long srtt() { return srtt; }

  /** RTT variation; 0 before the first sample. */
  public long rttvar() { return rttvar; }

  /** The smallest sample over the connection; 0 before the first sample. */
  public long minRtt() { return minRtt; }

  public long minRto() { return minRto; }

  public long maxRto() { return maxRto; }

  @Override public String toString() {
    return "rto " + rto / 1_000_000.0 + " ms" + (hasSample
        ? ", srtt " + srtt / 1_000_000.0 + " ms, rttvar " + rttvar / 1_000_000.0 + " ms, min " + minRtt / 1_000_000.0 + " ms"
        : ", no sample");
  }
}
