package io.tapnfs.nfs.nlm;

import java.time.Duration;

/**
 * NLM's own settings (the lock manager's bounds are {@code LockManager.Limits}).
 *
 * @param callTimeout     how long one call to a client (its rpcbind's GETPORT, then the call) waits for a reply
 * @param udpRetries      over UDP, how many times such a call is sent again within the attempt
 * @param retryInitial    first pause before a GRANTED that failed is tried again; doubles each time
 * @param retryMax        longest pause between two tries
 * @param grantedGiveUp   how long a granted lock waits for its GRANTED to be delivered before it is
 *                        released again (and the next waiter served); longer than two of Linux's
 *                        30 s polls, since a client that polls gets the lock from its poll
 * @param resAttempts     tries of a _RES call (the result of a _MSG call) before it is dropped
 * @param maxCallbacks    GRANTED and _RES calls waiting to be made; a grant past it is released at once
 * @param callbackThreads threads making those calls (each call blocks up to its timeout)
 * @param maxShares       SHARE reservations held in total
 * @param maxHosts        hosts recorded as monitored; the table is swept of hosts that hold nothing
 * @param sweepInterval   how often expired waiters and idle hosts are swept
 */
public record NlmConfig(Duration callTimeout, int udpRetries, Duration retryInitial, Duration retryMax, Duration grantedGiveUp,
                        int resAttempts, int maxCallbacks, int callbackThreads, int maxShares, int maxHosts, Duration sweepInterval) {
  public NlmConfig {
    if (positive(callTimeout) || udpRetries < 0 || positive(retryInitial) || retryMax.compareTo(retryInitial) < 0
        || grantedGiveUp.isNegative() || resAttempts < 1 || maxCallbacks < 1 || callbackThreads < 1 || maxShares < 1 || maxHosts < 1
        || positive(sweepInterval)) {
      throw new IllegalArgumentException("NLM settings " + this);
    }
  }

  private static boolean positive(Duration d) { return d.isNegative() || d.isZero(); }

  public static NlmConfig defaults() {
    return new NlmConfig(Duration.ofSeconds(5), 2, Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(75), 3, 1024, 2,
        4096, 4096, Duration.ofSeconds(10));
  }

  /** The same with other GRANTED retry timings. */
  public NlmConfig withRetries(Duration initial, Duration max, Duration giveUp) {
    return new NlmConfig(callTimeout, udpRetries, initial, max, giveUp, resAttempts, maxCallbacks, callbackThreads, maxShares, maxHosts,
        sweepInterval);
  }

  /** The same with another call timeout. */
  public NlmConfig withCallTimeout(Duration t) {
    return new NlmConfig(t, udpRetries, retryInitial, retryMax, grantedGiveUp, resAttempts, maxCallbacks, callbackThreads, maxShares,
        maxHosts, sweepInterval);
  }

  /** The same with other table bounds. */
  public NlmConfig withBounds(int maxCallbacks, int maxShares, int maxHosts) {
    return new NlmConfig(callTimeout, udpRetries, retryInitial, retryMax, grantedGiveUp, resAttempts, maxCallbacks, callbackThreads,
        maxShares, maxHosts, sweepInterval);
  }
}
