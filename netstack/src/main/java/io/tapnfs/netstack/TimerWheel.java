package io.tapnfs.netstack;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A hashed timing wheel (Varghese and Lauck, 1987) on the event loop: arm, re-arm and cancel are
 * O(1); {@link #advance} visits only the slots that time passed over. Each {@link Timer} is one
 * slot a component owns (like one timer per socket): re-arming moves its deadline, a cancelled or
 * moved timer never fires for its old deadline.
 *
 * <p>Single-threaded: only the event-loop thread touches it.
 */
public final class TimerWheel {
  private final long tickNanos;
  private final Timer[] heads;
  private final int mask;
  private final Timer due = new Timer(null);   // list head of timers whose deadline already passed
  private long currentTick;
  private long earliest = Long.MAX_VALUE;       // lower bound of armed deadlines; may be stale-early
  private int armed;

  public TimerWheel(long now, long tickNanos, int slots) {
    if (Integer.bitCount(slots) != 1) throw new IllegalArgumentException("slots must be a power of two");
    this.tickNanos = tickNanos;
    this.heads = new Timer[slots];
    for (int i = 0; i < slots; i++) heads[i] = new Timer(null);
    this.mask = slots - 1;
    this.currentTick = Math.floorDiv(now, tickNanos);
  }

  /** A 1 ms tick, 1024 slots (one second per turn of the wheel). */
  public TimerWheel(long now) { this(now, 1_000_000L, 1024); }

  public Timer newTimer(LongConsumer action) { return new Timer(action); }

  public int armedCount() { return armed; }

  /** Earliest time a timer may be due, or {@link Long#MAX_VALUE}; waking earlier is harmless. */
  public long nextDeadline() { return armed == 0 ? Long.MAX_VALUE : earliest; }

  /** Runs every timer whose deadline is at or before {@code now}. Returns how many fired. */
  public int advance(long now) {
    if (armed == 0) { currentTick = Math.max(currentTick, Math.floorDiv(now, tickNanos)); return 0; }
    if (now < earliest) return 0;
    List<Timer> fire = new ArrayList<>();
    collect(due, now, fire);
    long nowTick = Math.floorDiv(now, tickNanos);
    long span = nowTick - currentTick;
    if (span >= heads.length) {
      for (Timer h : heads) collect(h, now, fire);
    } else {
      for (long t = currentTick; t <= nowTick; t++) collect(heads[(int) (t & mask)], now, fire);
    }
    currentTick = Math.max(currentTick, nowTick);
    for (Timer t : fire) t.action.accept(now);
    recomputeEarliest();
    return fire.size();
  }

  private static void collect(Timer head, long now, List<Timer> out) {
    for (Timer t = head.next; t != null; ) {
      Timer next = t.next;
      if (t.deadline <= now) { t.unlink(); out.add(t); }
      t = next;
    }
  }

  private void recomputeEarliest() {
    long e = Long.MAX_VALUE;
    if (armed > 0) {
      for (Timer t = due.next; t != null; t = t.next) e = Math.min(e, t.deadline);
      for (Timer h : heads) for (Timer t = h.next; t != null; t = t.next) e = Math.min(e, t.deadline);
    }
    earliest = e;
  }

  /** One re-armable timer. */
  public final class Timer {
    private final LongConsumer action;
    private Timer prev, next;
    private long deadline;
    private boolean linked;

    private Timer(LongConsumer action) { this.action = action; }

    /** (Re-)arms at {@code deadline}; a previous deadline is forgotten. */
    public void arm(long deadline) {
      if (linked) unlink();
      this.deadline = deadline;
      long tick = Math.floorDiv(deadline, tickNanos);
      Timer head = tick <= currentTick ? due : heads[(int) (tick & mask)];
      next = head.next;
      prev = head;
      if (head.next != null) head.next.prev = this;
      head.next = this;
      linked = true;
      armed++;
      earliest = Math.min(earliest, deadline);
    }

    /** Arms unless already armed for an earlier time. */
    public void armNoLaterThan(long deadline) {
      if (!linked || deadline < this.deadline) arm(deadline);
    }

    public void cancel() { if (linked) unlink(); }

    public boolean isArmed() { return linked; }

    public long deadline() { return linked ? deadline : Long.MAX_VALUE; }

    private void unlink() {
      prev.next = next;
      if (next != null) next.prev = prev;
      prev = next = null;
      linked = false;
      armed--;
    }
  }
}
