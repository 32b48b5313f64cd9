package io.tapnfs.rpc;

import io.tapnfs.netstack.Clock;
import io.tapnfs.netstack.Stack;
import io.tapnfs.netstack.socket.StackSelectorProvider;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.dcache.oncrpc4j.rpc.OncRpcProgram;
import org.dcache.oncrpc4j.rpc.ReplyQueue;
import org.dcache.oncrpc4j.rpc.RpcDispatchable;
import org.dcache.oncrpc4j.rpc.RpcDispatcher;
import org.dcache.oncrpc4j.rpc.RpcMessageParserTCP;
import org.dcache.oncrpc4j.rpc.RpcMessageParserUDP;
import org.dcache.oncrpc4j.rpc.RpcProtocolFilter;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ConnectionProbe;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.nio.transport.UDPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.UDPNIOTransport;
import org.glassfish.grizzly.nio.transport.UDPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;

/**
 * ONC-RPC (RFC 5531) programs served on the stack: oncrpc4j's public filters on Grizzly NIO
 * transports built with the stack's {@link StackSelectorProvider}, so no kernel socket carries
 * the calls. Not oncrpc4j's {@code OncRpcSvc}, whose portmap publishing opens kernel sockets to
 * 127.0.0.1:111.
 *
 * <p>Chain, per transport: TransportFilter → ({@link RecordCapFilter}, TCP) → RpcMessageParserTCP
 * or UDP → {@link RpcHeaderFilter} → RpcProtocolFilter → RpcDispatcher over a {@link ProgramTable}, with the worker-thread
 * I/O strategy and a bounded request executor. What is served is registered with the
 * {@link RpcRegistry} (the in-process rpcbind) on start and removed on {@link #close}. One
 * {@link DuplicateRequestCache}, shared by both transports, holds the replies of the procedures
 * programs ask to have cached.
 *
 * <pre>
 *   RpcServer s = RpcServer.on(stack).program(100003, 3, nfs, Nfs3Program::cachesReply).tcp(2049).udp(2049)
 *       .registry(rpcbind).start();
 * </pre>
 */
public final class RpcServer implements Closeable {
  /** Default record cap: a 1 MiB NFS WRITE with room for its headers. */
  public static final int DEFAULT_MAX_RECORD = (1 << 20) + 64 * 1024;
  public static final int DEFAULT_MAX_FRAGMENTS = 1024;
  public static final int DEFAULT_MAX_PENDING = 256;
  /** Connections waiting to be accepted, as Linux's net.core.somaxconn (4096 since 5.4). */
  public static final int DEFAULT_BACKLOG = 4096;
  /** Duplicate-request cache defaults: entries, bytes (replies and bookkeeping), age. */
  public static final int DEFAULT_DRC_ENTRIES = DuplicateRequestCache.DEFAULT_MAX_ENTRIES;
  public static final long DEFAULT_DRC_BYTES = DuplicateRequestCache.DEFAULT_MAX_BYTES;
  public static final Duration DEFAULT_DRC_AGE = DuplicateRequestCache.DEFAULT_MAX_AGE;

  private final Map<OncRpcProgram, RpcDispatchable> programs;
  private final Map<OncRpcProgram, IntPredicate> cached;
  private final DuplicateRequestCache drc;
  private final Clock clock;
  private final RpcRegistry registry;
  private final String owner;
  private final RpcCounters counters;
  private final ExecutorService executor;
  private final ReplyQueue replies = new ReplyQueue();
  private TCPNIOTransport tcp;
  private UDPNIOTransport udp;
  private int tcpPort = -1, udpPort = -1;
  private final AtomicInteger connections = new AtomicInteger();

  private RpcServer(Builder b) {
    this.programs = new LinkedHashMap<>(b.programs);
    this.cached = new LinkedHashMap<>(b.cached);
    this.registry = b.registry;
    this.owner = b.owner;
    this.counters = new RpcCounters();
    this.drc = new DuplicateRequestCache(b.drcEntries, b.drcBytes, b.drcAge, DuplicateRequestCache.DEFAULT_MAX_REPLY, counters);
    this.clock = b.clock;
    AtomicInteger n = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(b.workers, b.workers, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(b.queue), r -> {
      Thread t = new Thread(r, "tapnfs-rpc-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
  }

  public static Builder on(Stack stack) { return new Builder(stack); }

  /**
   * The netid ("tcp" or "udp") of the call the current thread is running, for a program that
   * needs its transport (rpcbind's GETADDR with an empty netid, DUMP refused over UDP); null
   * outside a call. oncrpc4j's {@code RpcTransport} does not say.
   */
  public static String currentNetid() { return ProgramTable.currentNetid(); }

  /** The TCP port served, or -1. */
  public int tcpPort() { return tcpPort; }

  /** The UDP port served, or -1. */
  public int udpPort() { return udpPort; }

  /**
   * Counters by name ("calls", "recordTooLarge", ..., "drcHits", ...), then the duplicate-request
   * cache's size now: "drcEntries", "drcBytes".
   */
  public Map<String, Long> counters() {
    Map<String, Long> m = counters.snapshot();
    m.put("drcEntries", (long) drc.size());
    m.put("drcBytes", drc.bytes());
    return m;
  }

  public long counter(RpcStat s) { return counters.get(s); }

  /** TCP connections open now. */
  public int connections() { return connections.get(); }

  private void start(Builder b) throws IOException {
    StackSelectorProvider provider = new StackSelectorProvider(b.stack);
    if (b.tcpPort >= 0) {
      tcp = TCPNIOTransportBuilder.newInstance().setSelectorProvider(provider)
          .setIOStrategy(WorkerThreadIOStrategy.getInstance()).setReuseAddress(true).build();
      tcp.setProcessor(FilterChainBuilder.stateless()
          .add(new TransportFilter())
          .add(new RecordCapFilter(b.maxRecord, b.maxFragments, counters))
          .add(new RpcMessageParserTCP())
          .add(new RpcHeaderFilter(replies, counters))
          .add(new RpcProtocolFilter(replies))
          .add(new RpcDispatcher(executor, new ProgramTable(programs, cached, drc, clock, b.maxPending, counters, "tcp"), false, call -> { }))
          .build());
      tcp.getConnectionMonitoringConfig().addProbes(new ConnectionProbe.Adapter() {
        @Override public void onAcceptEvent(Connection server, Connection client) {
          counters.inc(RpcStat.TCP_ACCEPTED);
          connections.incrementAndGet();
        }

        @Override public void onCloseEvent(Connection c) {
          if (!(c instanceof TCPNIOServerConnection)) {
            counters.inc(RpcStat.TCP_CLOSED);
            connections.decrementAndGet();
          }
        }
      });
      TCPNIOServerConnection c = tcp.bind(new InetSocketAddress(b.tcpPort), b.backlog);
      tcp.start();
      tcpPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
    }
    if (b.udpPort >= 0) {
      udp = UDPNIOTransportBuilder.newInstance().setSelectorProvider(provider)
          .setIOStrategy(WorkerThreadIOStrategy.getInstance()).setReuseAddress(true).build();
      udp.setProcessor(FilterChainBuilder.stateless()
          .add(new TransportFilter())
          .add(new RpcMessageParserUDP())
          .add(new RpcHeaderFilter(replies, counters))
          .add(new RpcProtocolFilter(replies))
          .add(new RpcDispatcher(executor, new ProgramTable(programs, cached, drc, clock, b.maxPending, counters, "udp"), false, call -> { }))
          .build());
      UDPNIOServerConnection c = udp.bind(new InetSocketAddress(b.udpPort));
      udp.start();
      udpPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
    }
    for (OncRpcProgram p : programs.keySet()) {
      if (tcpPort >= 0) registry.register(p.getNumber(), p.getVersion(), "tcp", tcpPort, owner);
      if (udpPort >= 0) registry.register(p.getNumber(), p.getVersion(), "udp", udpPort, owner);
    }
  }

  @Override public void close() throws IOException {
    for (OncRpcProgram p : programs.keySet()) {
      if (tcpPort >= 0) registry.unregister(p.getNumber(), p.getVersion(), "tcp");
      if (udpPort >= 0) registry.unregister(p.getNumber(), p.getVersion(), "udp");
    }
    if (tcp != null) tcp.shutdownNow();
    if (udp != null) udp.shutdownNow();
    executor.shutdownNow();
    replies.shutdown();
  }

  /** What to serve, where, and the limits. */
  public static final class Builder {
    private final Stack stack;
    private final Map<OncRpcProgram, RpcDispatchable> programs = new LinkedHashMap<>();
    private final Map<OncRpcProgram, IntPredicate> cached = new LinkedHashMap<>();
    private int drcEntries = DEFAULT_DRC_ENTRIES;
    private long drcBytes = DEFAULT_DRC_BYTES;
    private Duration drcAge = DEFAULT_DRC_AGE;
    private Clock clock = Clock.SYSTEM;
    private int tcpPort = -1, udpPort = -1;
    private RpcRegistry registry = RpcRegistry.NONE;
    private String owner = "tapnfs";
    private long maxRecord = DEFAULT_MAX_RECORD;
    private int maxFragments = DEFAULT_MAX_FRAGMENTS;
    private int maxPending = DEFAULT_MAX_PENDING;
    private int workers = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private int queue = 4096;
    private int backlog = DEFAULT_BACKLOG;

    private Builder(Stack stack) { this.stack = stack; }

    /** Serve {@code version} of {@code program} with {@code handler}; call again for more. */
    public Builder program(int program, int version, RpcDispatchable handler) {
      OncRpcProgram p = new OncRpcProgram(program, version);
      programs.put(p, handler);
      cached.remove(p);
      return this;
    }

    /**
     * Serve {@code version} of {@code program} with {@code handler}, keeping the replies of the
     * procedures {@code cachedProcedures} accepts in the duplicate-request cache: those that are
     * not idempotent, whose retransmission must not run again.
     */
    public Builder program(int program, int version, RpcDispatchable handler, IntPredicate cachedProcedures) {
      OncRpcProgram p = new OncRpcProgram(program, version);
      programs.put(p, handler);
      cached.put(p, Objects.requireNonNull(cachedProcedures, "cachedProcedures"));
      return this;
    }

    /**
     * Bounds of the duplicate-request cache: entries, bytes (cached replies of up to 4 KiB plus
     * 160 bytes per entry; room for one at least) and how long an unused reply is kept. Defaults
     * {@value RpcServer#DEFAULT_DRC_ENTRIES} entries, 16 MiB, 120 s.
     */
    public Builder drc(int maxEntries, long maxBytes, Duration maxAge) {
      DuplicateRequestCache.checkLimits(maxEntries, maxBytes, maxAge, DuplicateRequestCache.DEFAULT_MAX_REPLY);
      this.drcEntries = maxEntries;
      this.drcBytes = maxBytes;
      this.drcAge = maxAge;
      return this;
    }

    /** The monotonic clock the duplicate-request cache ages entries by (tests: a manual one). */
    public Builder clock(Clock c) { this.clock = Objects.requireNonNull(c, "clock"); return this; }

    /** Serve on this TCP port of the stack (0: any free port). */
    public Builder tcp(int port) { this.tcpPort = checkPort(port); return this; }

    /** Serve on this UDP port of the stack (0: any free port). */
    public Builder udp(int port) { this.udpPort = checkPort(port); return this; }

    public Builder registry(RpcRegistry r) { this.registry = r; return this; }

    public Builder owner(String o) { this.owner = o; return this; }

    /** The largest TCP record accepted; a bigger one closes the connection (counted). */
    public Builder maxRecordSize(long bytes) {
      if (bytes < 1024) throw new IllegalArgumentException("record cap " + bytes + " < 1024");
      this.maxRecord = bytes;
      return this;
    }

    public Builder maxFragments(int n) {
      if (n < 1) throw new IllegalArgumentException("fragments " + n);
      this.maxFragments = n;
      return this;
    }

    /** Calls in progress per peer before more are dropped (counted). */
    public Builder maxPendingPerConnection(int n) {
      if (n < 1) throw new IllegalArgumentException("pending " + n);
      this.maxPending = n;
      return this;
    }

    /** Threads running calls, and the calls that may wait for one. */
    public Builder workers(int threads, int queued) {
      if (threads < 1 || queued < 1) throw new IllegalArgumentException("workers " + threads + ", queue " + queued);
      this.workers = threads;
      this.queue = queued;
      return this;
    }

    public Builder backlog(int n) { this.backlog = Math.max(1, n); return this; }

    private static int checkPort(int p) {
      if (p < 0 || p > 65535) throw new IllegalArgumentException("port " + p);
      return p;
    }

    public RpcServer start() throws IOException {
      if (programs.isEmpty()) throw new IllegalStateException("no program to serve");
      if (tcpPort < 0 && udpPort < 0) throw new IllegalStateException("neither tcp() nor udp() given");
      RpcServer s = new RpcServer(this);
      try {
        s.start(this);
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
      return s;
    }
  }
}
