package io.tapnfs.netstack;

import io.tapnfs.netstack.link.FrameSink;
import io.tapnfs.netstack.link.LinkEndpoint;
import io.tapnfs.netstack.link.PcapWriter;
import io.tapnfs.netstack.socket.UdpSocket;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running stack: one event-loop thread owns the {@link Nic} and everything under it (like a
 * kernel's softirq). Each turn reads the clock once, runs the tasks application threads handed
 * over, reads up to {@link #RX_BUDGET} frames from the link, and fires due timers; with nothing to
 * do it sleeps in {@link LinkEndpoint#await} until a frame, a task or the next timer.
 *
 * <p>Threads: {@link #execute}, {@link #call}, {@link #stats} and {@link #close} may be called
 * from any thread; everything else in the netstack runs on the loop. A stack made with
 * {@link #manual} has no thread: the caller drives it with {@link #poll}, on a manual clock, and
 * is itself the loop thread (deterministic tests).
 */
public final class Stack implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(Stack.class);
  /** Frames read per turn before timers and tasks get a look in. */
  static final int RX_BUDGET = 64;

  private final LinkEndpoint link;
  private final Clock clock;
  private final TimerWheel wheel;
  private final Nic nic;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final ByteBuffer rx;
  private final Thread thread;
  private final long startedAt;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean running = true;
  private PcapWriter capture;
  private Path capturePath;

  private Stack(StackConfig config, LinkEndpoint link, Clock clock, boolean threaded) {
    this.link = link;
    this.clock = clock;
    this.startedAt = clock.nanos();
    this.wheel = new TimerWheel(startedAt);
    this.nic = new Nic(config, wheel, new FrameSink() {
      @Override public void transmit(ByteBuffer frame) { Stack.this.transmit(frame); }
      @Override public int gsoMaxSize() { return link.gsoMaxSize(); }
      @Override public void transmitGso(ByteBuffer frame, int mss) { Stack.this.transmitGso(frame, mss); }
    });
    nic.tcp().setLoop(task -> execute(() -> task.accept(clock.nanos())));
    this.rx = ByteBuffer.allocateDirect(Math.max(link.maxFrameSize(), 14 + config.mtu()));
    if (threaded) {
      thread = new Thread(this::run, "tapnfs-stack-" + link.name());
      thread.setDaemon(true);
      thread.start();
    } else {
      thread = null;
      nic.start(startedAt);
    }
  }

  /** Starts a stack on its own event-loop thread. */
  public static Stack start(StackConfig config, LinkEndpoint link, Clock clock) {
    return new Stack(config, link, clock, true);
  }

  /** A stack without a thread, driven by {@link #poll} (tests). */
  public static Stack manual(StackConfig config, LinkEndpoint link, Clock clock) {
    return new Stack(config, link, clock, false);
  }

  public StackConfig config() { return nic.config(); }
  public Clock clock() { return clock; }
  public String linkName() { return link.name(); }
  public boolean isRunning() { return running; }

  /** Earliest time a timer is due, for manual drivers. */
  public long nextDeadline() { return wheel.nextDeadline(); }

  // ------------------------------------------------------------------ loop

  private void run() {
    try {
      nic.start(clock.nanos());
      while (running) {
        if (!turn()) {
          long now = clock.nanos();
          long next = wheel.nextDeadline();
          long timeout = next == Long.MAX_VALUE ? -1 : Math.max(0, next - now);
          sleeping.set(true);
          try {
            if (tasks.isEmpty() && running) link.await(timeout);
          } finally {
            sleeping.set(false);
          }
        }
      }
    } catch (EOFException e) {
      log.debug("link {} closed", link.name());
    } catch (IOException | RuntimeException e) {
      log.error("stack loop on {} stopped", link.name(), e);
    } finally {
      running = false;
      Runnable t;
      while ((t = tasks.poll()) != null) safeRun(t);   // fail pending calls instead of hanging them
      closeCapture();
      stopped.complete(null);
    }
  }

  /** One turn. @return whether anything was done */
  private boolean turn() throws IOException {
    boolean worked = false;
    Runnable t;
    while ((t = tasks.poll()) != null) { safeRun(t); worked = true; }
    long now = clock.nanos();          // after the tasks, which read the clock themselves: time never runs back
    for (int i = 0; i < RX_BUDGET; i++) {
      rx.clear();
      int n;
      try {
        n = link.read(rx);
      } catch (EOFException e) {
        throw e;
      } catch (IOException e) {
        nic.rxError();
        log.debug("read error on {}", link.name(), e);
        break;
      }
      if (n == 0) break;
      rx.flip();
      if (capture != null) capture.record(rx);
      try {
        nic.receive(now, rx);
      } catch (RuntimeException e) {
        // A bug must cost one frame, not the host.
        nic.drops().inc(DropReason.STACK_INTERNAL_ERROR);
        log.error("internal error handling a frame on {}", link.name(), e);
      }
      worked = true;
    }
    try {
      nic.tcp().endOfBurst(now);        // deferred ACKs and reader wake-ups of this burst
      if (wheel.advance(now) > 0) worked = true;
    } catch (RuntimeException e) {
      nic.drops().inc(DropReason.STACK_INTERNAL_ERROR);
      log.error("internal error in a timer on {}", link.name(), e);
    }
    return worked;
  }

  private void safeRun(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.error("task failed on the stack loop", e);
    }
  }

  /** Drives a {@link #manual} stack: one turn without sleeping. @return whether it did anything */
  public boolean poll() throws IOException {
    if (thread != null) throw new IllegalStateException("poll() is for manual stacks");
    return turn();
  }

  private void transmit(ByteBuffer frame) {
    if (capture != null) capture.record(frame);
    try {
      link.write(frame);
    } catch (IOException e) {
      nic.txError();
      log.debug("write error on {}", link.name(), e);
    }
  }

  private void transmitGso(ByteBuffer frame, int mss) {
    if (capture != null) capture.record(frame);
    try {
      link.writeGso(frame, mss);
    } catch (IOException e) {
      nic.txError();
      log.debug("write error on {}", link.name(), e);
    }
  }

  // ------------------------------------------------------------------ hand-off from other threads

  /** Runs {@code task} on the loop, soon. Tasks run in submission order. */
  public void execute(Runnable task) {
    if (!running) throw new IllegalStateException("stack on " + link.name() + " is stopped");
    tasks.add(task);
    if (sleeping.get()) link.wakeup();
  }

  /** Runs {@code task} on the loop with the interface, soon; does not wait. */
  public void submit(java.util.function.Consumer<Nic> task) { execute(() -> task.accept(nic)); }

  /**
   * Runs {@code f} on the loop and waits for its result (10 s at most). On a manual stack it runs
   * at once, since the caller is the loop.
   */
  public <T> T call(Function<Nic, T> f) throws IOException {
    if (thread == null || Thread.currentThread() == thread) {
      try {
        return f.apply(nic);
      } catch (java.io.UncheckedIOException e) {
        throw e.getCause();
      }
    }
    CompletableFuture<T> r = new CompletableFuture<>();
    execute(() -> {
      if (!running) { r.completeExceptionally(new IOException("stack stopped")); return; }
      try {
        r.complete(f.apply(nic));
      } catch (Throwable e) {
        r.completeExceptionally(e);
      }
    });
    try {
      return r.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the stack");
    } catch (TimeoutException e) {
      throw new IOException("stack loop did not answer within 10 s");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) throw io;
      if (c instanceof java.io.UncheckedIOException u) throw u.getCause();
      if (c instanceof RuntimeException re) throw re;
      if (c instanceof Error err) throw err;
      throw new IOException(c);
    }
  }

  /** The current time on the stack's clock. */
  public long now() { return clock.nanos(); }

  // ------------------------------------------------------------------ applications

  /** Opens a UDP socket bound to {@code port} (0: an ephemeral port). */
  public UdpSocket openUdp(int port) throws IOException { return UdpSocket.open(this, port); }

  /** Listens on a TCP port. */
  public io.tapnfs.netstack.socket.TcpServerSocket listenTcp(int port, int backlog) throws IOException {
    return io.tapnfs.netstack.socket.TcpServerSocket.listen(this, port, backlog);
  }

  /** Connects to a TCP server; waits at most {@code timeout} for the handshake. */
  public io.tapnfs.netstack.socket.TcpSocket connectTcp(io.tapnfs.netstack.ipv4.Ipv4Address ip, int port,
                                                        java.time.Duration timeout) throws IOException {
    return io.tapnfs.netstack.socket.TcpSocket.connect(this, ip, port, timeout);
  }

  /** A snapshot of every counter and table, taken on the loop. */
  public StackStats stats() throws IOException {
    return call(n -> StackStats.of(n, link.name(), clock.nanos(), (clock.nanos() - startedAt) / 1_000_000L, captureStatus()));
  }

  /** Changes a setting at run time ({@code name=value}). */
  public void set(String assignment) throws IOException {
    call(n -> n.config().settings().set(assignment));
  }

  // ------------------------------------------------------------------ capture

  /** Starts capturing every frame in and out to a pcap file, replacing a running capture. */
  public void startCapture(Path file, long maxBytes) throws IOException {
    PcapWriter w = PcapWriter.open(file, maxBytes);
    call(n -> { closeCapture(); capture = w; capturePath = file; return null; });
  }

  public void stopCapture() throws IOException { call(n -> { closeCapture(); return null; }); }

  private void closeCapture() {
    if (capture == null) return;
    try {
      capture.close();
    } catch (IOException e) {
      log.warn("closing capture {}: {}", capturePath, e.toString());
    }
    capture = null;
  }

  private String captureStatus() {
    if (capture == null) return "off";
    return capturePath + " frames " + capture.framesWritten() + " bytes " + capture.bytesWritten()
        + (capture.framesDroppedCap() > 0 ? " (size cap reached, " + capture.framesDroppedCap() + " frames not written)" : "");
  }

  // ------------------------------------------------------------------ shutdown

  /** Stops the loop, flushes the capture, closes the link. Idempotent; never hangs. */
  @Override
  public void close() throws IOException {
    if (thread == null) {
      running = false;
      closeCapture();
      link.close();
      return;
    }
    running = false;
    link.wakeup();
    try {
      stopped.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("stack loop on {} did not stop in 5 s", link.name());
    } finally {
      link.close();
    }
  }
}
