package io.tapnfs.netstack.link;

import io.tapnfs.netstack.Clock;
import io.tapnfs.netstack.ManualClock;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of an in-memory Ethernet cable for tests (like gVisor {@code link/channel} and smoltcp
 * {@code phy/loopback.rs}), with seeded impairments per direction (smoltcp
 * {@code phy/fault_injector.rs}, Linux netem). A frame written at one end is copied, run through
 * the direction's {@link Impairments} and becomes readable at the other end once its delivery time
 * on the shared {@link Clock} has come.
 *
 * <p>Per frame, in this order, each step drawing from the direction's {@code SplittableRandom}
 * only when its probability is non-zero: loss; corruption (one random bit); duplication (the copy
 * goes through the remaining steps too); tail drop when the direction already holds
 * {@code queueLimitFrames} (or {@link #HARD_QUEUE_LIMIT}) frames not yet read; rate limiting
 * (departure = max(now, last departure) + frame bits / rate; preamble and FCS are not counted);
 * delay plus uniform jitter; reordering (the frame is held back and delivered right after the next
 * frame, or {@link #REORDER_HOLD_NANOS} after its due time if no frame follows, so the last frame
 * is never stuck). Each action bumps a counter of {@link Stats}; {@code reordered} counts frames
 * that another frame really overtook.
 *
 * <p>Time. With a {@link ManualClock} nothing ever blocks: {@link #await} returns at once and the
 * test moves time, using {@link #nextDeliveryNanos()} to know where to jump. With any other clock
 * (taken to run at real speed, like {@link Clock#SYSTEM}) {@link #await} sleeps on a condition
 * until a frame is due, a frame arrives, {@link #wakeup}, {@link #close} or the timeout.
 *
 * <p>Segmentation offload ({@link #setGsoMaxSize}): {@link #writeGso} cuts the frame with
 * {@link GsoSegmenter}, as the kernel behind a tap does, and each piece goes its way as if written
 * alone; {@link #gsoWrites()} counts the calls.
 *
 * <p>Threads. Every method is thread-safe. Each direction has its own lock, owned by the
 * receiving end; a writer takes only the peer's lock, a reader only its own.
 */
public final class MemoryLink implements LinkEndpoint {
  private static final Logger log = LoggerFactory.getLogger(MemoryLink.class);

  /** Frames in flight per direction, whatever {@link Impairments#queueLimitFrames()} says. */
  public static final int HARD_QUEUE_LIMIT = 65_536;
  /** How long a frame held back for reordering waits for a successor before it goes anyway. */
  public static final long REORDER_HOLD_NANOS = 1_000_000L;
  public static final int DEFAULT_MAX_FRAME_SIZE = 1514;

  /** What one direction did to the frames written into it. */
  public record Stats(long written, long delivered, long lost, long duplicated, long reordered, long corrupted,
      long queueDropped, long peerClosed) {
    public Map<String, Long> snapshot() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("written", written);
      m.put("delivered", delivered);
      m.put("lost", lost);
      m.put("duplicated", duplicated);
      m.put("reordered", reordered);
      m.put("corrupted", corrupted);
      m.put("queueDropped", queueDropped);
      m.put("peerClosed", peerClosed);
      return m;
    }
  }

  private final String name;
  private final int maxFrameSize;
  private final Clock clock;
  private final boolean manualClock;
  private final Direction in;   // frames toward this end
  private MemoryLink peer;      // set once by pair()
  private volatile int gsoMaxSize;
  private final java.util.concurrent.atomic.AtomicLong gsoWrites = new java.util.concurrent.atomic.AtomicLong();

  private MemoryLink(String name, int maxFrameSize, Clock clock, Impairments inbound) {
    this.name = name;
    this.maxFrameSize = maxFrameSize;
    this.clock = clock;
    this.manualClock = clock instanceof ManualClock;
    this.in = new Direction(inbound);
  }

  /**
   * A cable between {@code nameA} and {@code nameB}.
   *
   * @return {@code [a, b]}
   */
  public static MemoryLink[] pair(String nameA, String nameB, int maxFrameSize, Clock clock, Impairments impA2B,
      Impairments impB2A) {
    if (maxFrameSize < 14 || maxFrameSize > 65_535 + 14) throw new IllegalArgumentException("max frame size " + maxFrameSize);
    MemoryLink a = new MemoryLink(nameA, maxFrameSize, clock, impB2A);
    MemoryLink b = new MemoryLink(nameB, maxFrameSize, clock, impA2B);
    a.peer = b;
    b.peer = a;
    log.debug("memory link {} -> {}: {}", nameA, nameB, impA2B);
    log.debug("memory link {} -> {}: {}", nameB, nameA, impB2A);
    return new MemoryLink[] {a, b};
  }

  /** {@code mem-a} and {@code mem-b}, 1514-byte frames, no impairments. */
  public static MemoryLink[] pair(Clock clock) {
    return pair("mem-a", "mem-b", DEFAULT_MAX_FRAME_SIZE, clock, Impairments.NONE, Impairments.NONE);
  }

  @Override public String name() { return name; }

  @Override public int maxFrameSize() { return maxFrameSize; }

  /**
   * Offers segmentation offload for frames of up to {@code maxFrame} bytes (0: none), like a tap
   * opened with a vnet header. Set it before a stack is made on this end: the stack sizes its
   * buffers by it.
   */
  public void setGsoMaxSize(int maxFrame) {
    if (maxFrame != 0 && (maxFrame <= maxFrameSize || maxFrame > 65_535 + 14)) throw new IllegalArgumentException("GSO frame size " + maxFrame);
    gsoMaxSize = maxFrame;
  }

  @Override public int gsoMaxSize() { return gsoMaxSize; }

  /** Calls of {@link #writeGso} at this end. */
  public long gsoWrites() { return gsoWrites.get(); }

  /** Cuts the frame as the kernel would ({@link GsoSegmenter}) and sends each piece to the peer. */
  @Override
  public void writeGso(ByteBuffer frame, int mss) throws IOException {
    if (gsoMaxSize == 0) throw new UnsupportedOperationException(name + " has no segmentation offload");
    if (in.isClosed()) throw new ClosedChannelException();
    if (frame.remaining() > gsoMaxSize) throw new IOException("writeGso " + name + ": frame of " + frame.remaining() + " bytes");
    gsoWrites.incrementAndGet();
    long now = clock.nanos();
    for (byte[] piece : GsoSegmenter.segment(frame, mss)) {
      if (piece.length > maxFrameSize) throw new IOException("writeGso " + name + ": a piece of " + piece.length + " bytes");
      peer.in.send(piece, now);
    }
  }

  /** The other end of the cable. */
  public MemoryLink peer() { return peer; }

  /** What happened to the frames this end wrote. */
  public Stats txStats() { return peer.in.stats(); }

  /** What happened to the frames written toward this end. */
  public Stats rxStats() { return in.stats(); }

  /** When the next frame toward this end becomes readable, or {@code Long.MAX_VALUE}. */
  public long nextDeliveryNanos() {
    in.lock.lock();
    try {
      return in.nextDue();
    } finally {
      in.lock.unlock();
    }
  }

  /** Frames written toward this end and not yet read (due or not). */
  public int framesInFlight() {
    in.lock.lock();
    try {
      return in.inFlight();
    } finally {
      in.lock.unlock();
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    Direction d = in;
    d.lock.lock();
    try {
      if (d.closed) throw new EOFException("memory link " + name + " is closed");
      long now = clock.nanos();
      d.releaseExpiredHold(now);
      Pending f = d.queue.peek();
      if (f == null || f.due > now) return 0;
      if (dst.remaining() < f.data.length)
        throw new IllegalArgumentException("frame of " + f.data.length + " bytes, room for " + dst.remaining());
      d.queue.poll();
      dst.put(f.data);
      d.delivered++;
      return f.data.length;
    } finally {
      d.lock.unlock();
    }
  }

  /** Copies {@code frame.position()..limit()} (the position does not move) and sends it to the peer. */
  @Override
  public void write(ByteBuffer frame) throws IOException {
    if (in.isClosed()) throw new ClosedChannelException();
    int len = frame.remaining();
    if (len == 0 || len > maxFrameSize)
      throw new IOException("write " + name + ": frame of " + len + " bytes (max " + maxFrameSize + ")");
    byte[] copy = new byte[len];
    frame.get(frame.position(), copy);
    peer.in.send(copy, clock.nanos());
  }

  @Override
  public void await(long timeoutNanos) throws IOException {
    Direction d = in;
    d.lock.lock();
    try {
      long start = clock.nanos();
      while (true) {
        if (d.closed) return;   // the next read throws
        if (d.wakeup) { d.wakeup = false; return; }
        long now = clock.nanos();
        long next = d.nextDue();
        if (next <= now || manualClock) return;
        long left = timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos - (now - start);
        if (left <= 0) return;
        long wait = Math.min(left, next == Long.MAX_VALUE ? Long.MAX_VALUE : next - now);
        if (wait == Long.MAX_VALUE) d.changed.await();
        else d.changed.awaitNanos(wait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted in await on " + name);
    } finally {
      d.lock.unlock();
    }
  }

  @Override
  public void wakeup() {
    in.lock.lock();
    try {
      in.wakeup = true;
      in.changed.signalAll();
    } finally {
      in.lock.unlock();
    }
  }

  /** Unplugs this end: frames toward it are discarded, read throws EOF, writes fail. Idempotent. */
  @Override
  public void close() {
    in.lock.lock();
    try {
      if (in.closed) return;
      in.closed = true;
      in.queue.clear();
      in.held = null;
      in.changed.signalAll();
    } finally {
      in.lock.unlock();
    }
    log.debug("memory link {} closed", name);
  }

  @Override public String toString() { return "MemoryLink[" + name + "]"; }

  // ------------------------------------------------------------------ one direction

  private record Pending(byte[] data, long due, long seq) {}

  private static final Comparator<Pending> BY_DUE = Comparator.comparingLong(Pending::due).thenComparingLong(Pending::seq);

  /** Frames toward one end, with the impairments on the way. Guarded by {@code lock}. */
  private static final class Direction {
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    final Impairments imp;
    final SplittableRandom rnd;
    final PriorityQueue<Pending> queue = new PriorityQueue<>(BY_DUE);
    Pending held;          // held back for reordering, due at heldUntil if nothing overtakes it
    long heldUntil;
    long lastDeparture = Long.MIN_VALUE;
    long seq;
    boolean wakeup, closed;
    long written, delivered, lost, duplicated, reordered, corrupted, queueDropped, peerClosed;

    Direction(Impairments imp) {
      this.imp = imp;
      this.rnd = new SplittableRandom(imp.seed());
    }

    boolean isClosed() {
      lock.lock();
      try {
        return closed;
      } finally {
        lock.unlock();
      }
    }

    void send(byte[] data, long now) {
      lock.lock();
      try {
        written++;
        if (closed) { peerClosed++; return; }
        if (chance(imp.loss())) { lost++; return; }
        if (chance(imp.corrupt())) {
          int bit = rnd.nextInt(data.length * 8);
          data[bit >>> 3] ^= (byte) (0x80 >>> (bit & 7));
          corrupted++;
        }
        boolean dup = chance(imp.duplicate());
        if (dup) duplicated++;
        enqueue(data, now);
        if (dup) enqueue(data.clone(), now);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    private void enqueue(byte[] data, long now) {
      int limit = imp.queueLimitFrames() > 0 ? Math.min(imp.queueLimitFrames(), HARD_QUEUE_LIMIT) : HARD_QUEUE_LIMIT;
      if (inFlight() >= limit) { queueDropped++; return; }   // tail drop
      long t = now;
      if (imp.rateBitsPerSecond() > 0) {
        t = satAdd(Math.max(now, lastDeparture), serializationNanos(data.length, imp.rateBitsPerSecond()));
        lastDeparture = t;
      }
      t = satAdd(t, imp.delayNanos());
      if (imp.jitterNanos() > 0) t = satAdd(t, rnd.nextLong(imp.jitterNanos() + 1));
      Pending f = new Pending(data, t, seq++);
      releaseExpiredHold(now);
      if (held != null) {
        // f overtakes the held frame, which goes right behind it
        queue.add(f);
        queue.add(new Pending(held.data, Math.max(held.due, f.due), seq++));
        held = null;
        reordered++;
      } else if (chance(imp.reorder())) {
        held = f;
        heldUntil = satAdd(f.due, REORDER_HOLD_NANOS);
      } else {
        queue.add(f);
      }
    }

    void releaseExpiredHold(long now) {
      if (held != null && heldUntil <= now) {
        queue.add(new Pending(held.data, heldUntil, seq++));
        held = null;
      }
    }

    long nextDue() {
      long next = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().due;
      return held != null ? Math.min(next, heldUntil) : next;
    }

    int inFlight() { return queue.size() + (held != null ? 1 : 0); }

    private boolean chance(double p) { return p > 0 && rnd.nextDouble() < p; }

    Stats stats() {
      lock.lock();
      try {
        return new Stats(written, delivered, lost, duplicated, reordered, corrupted, queueDropped, peerClosed);
      } finally {
        lock.unlock();
      }
    }
  }

  /** Time to clock {@code len} bytes out at {@code rate} bit/s, rounded up to whole nanoseconds. */
  static long serializationNanos(int len, long rate) {
    long bitNanos = len * 8L * TimeUnit.SECONDS.toNanos(1);   // below 2^50 for 64 KiB frames
    return bitNanos / rate + (bitNanos % rate == 0 ? 0 : 1);
  }

  private static long satAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;   // b >= 0 here, so only upward overflow
  }
}
