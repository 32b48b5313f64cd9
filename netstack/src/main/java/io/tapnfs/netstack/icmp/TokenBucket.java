package io.tapnfs.netstack.icmp;

/**
 * The ICMP error rate limiter: a token bucket (RFC 1812 §4.3.2.8, RFC 1122 §3.2.2 "MUST limit
 * the rate"), like Linux {@code icmp_msgs_per_sec} / {@code icmp_msgs_burst}. Starts full.
 *
 * <p>Credit is kept in billionths of a token, so that with a whole-number rate a token is due
 * at exactly the nanosecond arithmetic says (a double holds such integers exactly up to 2^53).
 * Not thread-safe: event-loop thread only.
 */
public final class TokenBucket {
  private static final double TOKEN = 1e9;

  private final double ratePerSecond;
  private final int burst;
  private final double capacity;
  private double credit;
  private long last;
  private boolean started;

  /**
   * @param ratePerSecond tokens added per second; 0 means no token is ever granted
   * @param burst the most tokens held, at least 1
   */
  public TokenBucket(double ratePerSecond, int burst) {
    if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond))
      throw new IllegalArgumentException("rate " + ratePerSecond);
    if (burst < 1) throw new IllegalArgumentException("burst " + burst);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.capacity = burst * TOKEN;
    this.credit = capacity;
  }

  public double ratePerSecond() { return ratePerSecond; }

  public int burst() { return burst; }

  /** Takes one token if there is one. A {@code now} earlier than the last one seen adds nothing. */
  public boolean tryTake(long now) {
    if (ratePerSecond == 0) return false;
    if (!started) {
      started = true;
      last = now;
    } else if (now > last) {
      // elapsed * rate is in billionths of a token; past the time to fill, the bucket is full
      long elapsed = now - last;
      double toFill = (capacity - credit) / ratePerSecond;
      credit = elapsed < 0 /* overflowed */ || elapsed >= toFill ? capacity : credit + elapsed * ratePerSecond;
      last = now;
    }
    if (credit < TOKEN) return false;
    credit -= TOKEN;
    return true;
  }
}
