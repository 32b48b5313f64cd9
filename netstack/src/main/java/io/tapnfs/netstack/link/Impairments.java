package io.tapnfs.netstack.link;

import java.time.Duration;

/**
 * What a {@link MemoryLink} direction does to frames, in the spirit of Linux netem and smoltcp's
 * {@code phy/fault_injector.rs}. Every random choice comes from a {@code SplittableRandom(seed)},
 * so a seed and a sequence of writes give the same deliveries every run.
 *
 * @param seed seeds the random choices
 * @param loss probability that a frame is dropped
 * @param duplicate probability that a frame is delivered twice
 * @param reorder probability that a frame is held back and delivered after the next one
 * @param delayNanos fixed one-way delay
 * @param jitterNanos extra delay, uniform in {@code [0, jitterNanos]} (may reorder, as in netem)
 * @param corrupt probability that one random bit of a frame is flipped
 * @param rateBitsPerSecond serialization rate; 0 means unlimited
 * @param queueLimitFrames frames in flight (sent, not yet read) beyond which new ones are tail
 *     dropped; 0 means only the link's hard limit
 */
public record Impairments(long seed, double loss, double duplicate, double reorder, long delayNanos, long jitterNanos,
    double corrupt, long rateBitsPerSecond, int queueLimitFrames) {

  public static final Impairments NONE = new Impairments(0, 0, 0, 0, 0, 0, 0, 0, 0);

  public Impairments {
    probability("loss", loss);
    probability("duplicate", duplicate);
    probability("reorder", reorder);
    probability("corrupt", corrupt);
    if (delayNanos < 0 || jitterNanos < 0) throw new IllegalArgumentException("negative delay or jitter");
    if (jitterNanos == Long.MAX_VALUE) throw new IllegalArgumentException("jitter too large");
    if (rateBitsPerSecond < 0) throw new IllegalArgumentException("negative rate");
    if (queueLimitFrames < 0) throw new IllegalArgumentException("negative queue limit");
  }

  private static void probability(String what, double p) {
    if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(what + " probability " + p + " not in [0, 1]");
  }

  public Impairments withSeed(long s) {
    return new Impairments(s, loss, duplicate, reorder, delayNanos, jitterNanos, corrupt, rateBitsPerSecond, queueLimitFrames);
  }

  public Impairments withLoss(double p) {
    return new Impairments(seed, p, duplicate, reorder, delayNanos, jitterNanos, corrupt, rateBitsPerSecond, queueLimitFrames);
  }

  public Impairments withDuplicate(double p) {
    return new Impairments(seed, loss, p, reorder, delayNanos, jitterNanos, corrupt, rateBitsPerSecond, queueLimitFrames);
  }

  public Impairments withReorder(double p) {
    return new Impairments(seed, loss, duplicate, p, delayNanos, jitterNanos, corrupt, rateBitsPerSecond, queueLimitFrames);
  }

  public Impairments withDelay(Duration d) { return withDelayNanos(d.toNanos()); }

  public Impairments withDelayNanos(long ns) {
    return new Impairments(seed, loss, duplicate, reorder, ns, jitterNanos, corrupt, rateBitsPerSecond, queueLimitFrames);
  }

  public Impairments withJitter(Duration d) { return withJitterNanos(d.toNanos()); }

  public Impairments withJitterNanos(long ns) {
    return new Impairments(seed, loss, duplicate, reorder, delayNanos, ns, corrupt, rateBitsPerSecond, queueLimitFrames);
  }

  public Impairments withCorrupt(double p) {
    return new Impairments(seed, loss, duplicate, reorder, delayNanos, jitterNanos, p, rateBitsPerSecond, queueLimitFrames);
  }

  public Impairments withRate(long bitsPerSecond) {
    return new Impairments(seed, loss, duplicate, reorder, delayNanos, jitterNanos, corrupt, bitsPerSecond, queueLimitFrames);
  }

  public Impairments withQueueLimit(int frames) {
    return new Impairments(seed, loss, duplicate, reorder, delayNanos, jitterNanos, corrupt, rateBitsPerSecond, frames);
  }

  /** Whether this does nothing to frames (the seed aside). */
  public boolean isNone() { return equals(NONE.withSeed(seed)); }
}
